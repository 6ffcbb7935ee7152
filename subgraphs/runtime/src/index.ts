// @yuejuan/runtime: the subgraph kit (server bootstrap, MongoDB, the event bus, loaders,
// pagination, claimOnce, step-up checks, internal routes, blobs), on top of the platform
// package, which it re-exports so a subgraph needs one import.
export * from '@yuejuan/platform';
export * from './loaders.ts';
export * from './owned/index.ts';
export * from './mongo.ts';
export * from './once.ts';
export * from './pagination.ts';
export * from './schema.ts';
export * from './server.ts';
export * from './ids.ts';
export * from './run.ts';
export * from './step-up.ts';
export * from './scopes.ts';
export * from './internal.ts';
export * from './bus/index.ts';
