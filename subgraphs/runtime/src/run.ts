import { ConfigError } from './config.ts';
import type { Connection } from 'mongoose';
import { createLogger, type Logger } from './logger.ts';
import { connectMongo, ensureIndexes } from './mongo.ts';
import { createEventBus, type EventBus } from './bus/index.ts';

/**
 * Process entry of a service: validates its configuration (a bad value stops startup with a
 * message naming the variable, exit code 78), starts it, and stops it cleanly on SIGINT/SIGTERM.
 */
export async function runService<C extends { LOG_LEVEL: string }>(
  name: string,
  load: () => C,
  start: (config: C, logger: Logger) => Promise<() => Promise<void>>,
): Promise<void> {
  let config: C;
  try {
    config = load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger(name, config.LOG_LEVEL);
  let stop: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${name} stopping`);
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    try {
      await stop?.();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    stop = await start(config, logger);
  } catch (err) {
    logger.fatal({ err }, `${name} failed to start`);
    process.exit(1);
  }
}

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
  C extends { LOG_LEVEL: string; MONGODB_URI: string; EVENTS_DB: string },
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
