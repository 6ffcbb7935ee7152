// @yuejuan/platform: what the gateway and the subgraphs share: signed internal tokens and the
// identity they carry, configuration loading, coded errors, logging and the process entry.
export * from './auth.ts';
export * from './scopes.ts';
export * from './config.ts';
export * from './errors.ts';
export * from './logger.ts';
export * from './run.ts';
export * from './lifecycle.ts';
export * from './metrics.ts';
export * from './tracing.ts';
