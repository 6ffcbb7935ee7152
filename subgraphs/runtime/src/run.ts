import type { Connection } from 'mongoose';
import { runService, type Logger, type TracingConfig } from '@yuejuan/platform';
import { connectMongo, ensureIndexes } from './mongo.ts';
import { createEventBus, type EventBus } from './bus/index.ts';

/** What a subgraph's `createServer` returns that its process entry needs. */
interface Startable {
  start(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Process entry of a subgraph: config, its own database connection, the event bus, indexes,
 * start; and on SIGINT/SIGTERM the reverse. Each subgraph's index.ts is one call of this.
 */
export async function runSubgraph<
  C extends { LOG_LEVEL: string; MONGODB_URI: string; EVENTS_DB: string } & TracingConfig,
>(
  name: string,
  load: () => C,
  dbName: (config: C) => string,
  create: (deps: { config: C; connection: Connection; logger: Logger; bus: EventBus }) => Startable,
): Promise<void> {
  await runService(name, load, async (config, logger) => {
    const connection = await connectMongo(config.MONGODB_URI, dbName(config));
    const bus = createEventBus({
      client: connection.getClient(),
      dbName: config.EVENTS_DB,
      logger,
    });
    const server = create({ config, connection, logger, bus });
    await ensureIndexes(connection);
    await server.start();
    return async () => {
      await server.stop();
      await bus.close();
      await connection.close();
    };
  });
}
