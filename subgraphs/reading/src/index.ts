// Reads config, connects, starts: nothing else.
import { connectMongo, ensureIndexes, runService } from '@yuejuan/runtime';
import { loadReadingConfig } from './config.ts';
import { createServer } from './server.ts';

await runService('reading', loadReadingConfig, async (config, logger) => {
  const connection = await connectMongo(config.MONGODB_URI, config.READING_DB);
  const server = createServer({ config, connection, logger });
  await ensureIndexes(connection);
  await server.start();
  return async () => {
    await server.stop();
    await connection.close();
  };
});
