// The process entry: configuration, connection, event bus, start; nothing else.
import { runSubgraph } from '@yuejuan/runtime';
import { loadReadingConfig } from './config.ts';
import { createServer } from './server.ts';

await runSubgraph('reading', loadReadingConfig, (config) => config.READING_DB, createServer);
