export { ensureFerretDB, FERRETDB_VERSION, type EnsureOptions } from './build.ts';
export { GoMissingError } from './errors.ts';
export {
  childEnv as ferretEnv,
  debugAddr,
  startDatabase,
  type DatabaseHandle,
  type StartOptions,
} from './launcher.ts';
export { repoRoot } from './paths.ts';
export { freePort } from './ports.ts';
