export { ensureFerretDB, FERRETDB_VERSION, type EnsureOptions } from './build.ts';
export { GoMissingError } from './errors.ts';
export {
  backends,
  childEnv as ferretEnv,
  debugAddr,
  startDatabase,
  type Backend,
  type DatabaseHandle,
  type StartOptions,
} from './launcher.ts';
export { repoRoot } from './paths.ts';
export { freePort } from './ports.ts';
export { FERRETDB_PG_DATABASE, postgresBinDir, postgresqlPackage } from './postgres.ts';
export { ensureSystemPackages, type SystemPackage } from './system-packages.ts';
