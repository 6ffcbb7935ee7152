export { ensureFerretDB, FERRETDB_VERSION, type EnsureOptions } from './build.ts';
export { GoMissingError } from './errors.ts';
export { startDatabase, type DatabaseHandle, type StartOptions } from './launcher.ts';
export { repoRoot } from './paths.ts';
