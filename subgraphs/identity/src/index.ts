// The process entry: configuration, connection, event bus, start; nothing else.
import { runSubgraph } from '@yuejuan/runtime';
import { loadIdentityConfig } from './config.ts';
import { createServer } from './server.ts';

await runSubgraph('identity', loadIdentityConfig, (config) => config.IDENTITY_DB, createServer);
