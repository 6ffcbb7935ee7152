// Reads config, connects, starts: nothing else.
import { connectMongo, createEventBus, ensureIndexes, runService } from '@yuejuan/runtime';
import { loadNotificationsConfig } from './config.ts';
import { createServer } from './server.ts';

await runService('notifications', loadNotificationsConfig, async (config, logger) => {
  const connection = await connectMongo(config.MONGODB_URI, config.NOTIFICATIONS_DB);
  const bus = createEventBus({ client: connection.getClient(), dbName: config.EVENTS_DB, logger });
  const server = createServer({ config, connection, logger, bus });
  await ensureIndexes(connection);
  await server.start();
  return async () => {
    await server.stop();
    await bus.close();
    await connection.close();
  };
});
