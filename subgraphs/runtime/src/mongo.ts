import { dbCommandSeconds } from './metrics.ts';
import mongoose, { type Connection } from 'mongoose';

export interface MongoOptions {
  /** Kept for callers that asked for command events: they are always on now (for /metrics). */
  monitorCommands?: boolean;
}

/**
 * Opens the subgraph's own connection to its own database. Fails fast: no command buffering
 * while disconnected (mongoose would otherwise wait 10 s), short server selection.
 */
export async function connectMongo(
  uri: string,
  dbName: string,
  _options: MongoOptions = {},
): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    // While the database is away a client request can wait for it up to three times in a row
    // (session, then the first entity fetch, then the rest of the plan): 1.5 s each keeps the
    // answer within 5 s. The monitor notices the server back within a heartbeat (2 s).
    serverSelectionTimeoutMS: 1500,
    connectTimeoutMS: 2000,
    socketTimeoutMS: 30000,
    heartbeatFrequencyMS: 2000,
    maxPoolSize: 20,
    // Always on: the command timings feed /metrics (yuejuan_db_command_seconds).
    monitorCommands: true,
  });
  await connection.asPromise();
  // Every command's time, for /metrics (the driver reports it; counting tests listen too).
  const client = connection.getClient();
  const observe =
    (outcome: string) => (e: { databaseName: string; commandName: string; duration: number }) =>
      dbCommandSeconds.observe(
        { database: e.databaseName, command: e.commandName, outcome },
        e.duration / 1000,
      );
  client.on('commandSucceeded', observe('ok'));
  client.on('commandFailed', observe('error'));
  return connection;
}

/** Creates the collections and indexes the models declare, before the first request. */
export async function ensureIndexes(connection: Connection): Promise<void> {
  for (const model of Object.values(connection.models)) {
    await model.createCollection().catch((err: { codeName?: string }) => {
      if (err.codeName !== 'NamespaceExists') throw err;
    });
    await model.createIndexes();
  }
}

/** Counts the database commands issued while `fn` runs (driver command monitoring). */
export async function countCommands<T>(
  connection: Connection,
  fn: () => Promise<T>,
): Promise<{ result: T; commands: string[] }> {
  const commands: string[] = [];
  const client = connection.getClient();
  const listener = (event: { commandName: string; databaseName: string }) => {
    if (event.databaseName === connection.name) commands.push(event.commandName);
  };
  client.on('commandStarted', listener);
  try {
    return { result: await fn(), commands };
  } finally {
    client.off('commandStarted', listener);
  }
}
