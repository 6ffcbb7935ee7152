// The process entry: configuration, connection, event bus, start; nothing else.
import { runSubgraph } from '@yuejuan/runtime';
import { loadCasesConfig } from './config.ts';
import { createServer } from './server.ts';

await runSubgraph('cases', loadCasesConfig, (config) => config.CASES_DB, createServer);
