// The process entry: configuration, connection, event bus, start; nothing else.
import { runSubgraph } from '@yuejuan/runtime';
import { loadNotificationsConfig } from './config.ts';
import { createServer } from './server.ts';

await runSubgraph(
  'notifications',
  loadNotificationsConfig,
  (config) => config.NOTIFICATIONS_DB,
  createServer,
);
