import { dbCommandSeconds } from './metrics.ts';
import mongoose, { type Connection } from 'mongoose';
import type { MongoClient } from 'mongodb';
import {
  SpanKind,
  trace,
  TraceFlags,
  context as otelContext,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { failSpan, tracer, tracingActive } from '@yuejuan/platform';

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
  traceCommands(client);
  return connection;
}

interface CommandEvent {
  requestId: number;
  connectionId?: string | number;
  address: string;
  commandName: string;
  databaseName: string;
}

/** The collection a command names (`find: "cases"`, `getMore: id, collection: "events"`). */
const collectionOf = (e: CommandEvent & { command: Record<string, unknown> }) => {
  const named = e.command[e.commandName];
  return typeof named === 'string'
    ? named
    : typeof e.command.collection === 'string'
      ? e.command.collection
      : undefined;
};

/**
 * One CLIENT span per database command, from the driver's command monitoring (which runs in
 * the caller's async context), but only inside a sampled span: the bus's and the workers'
 * polling outside any operation records nothing. The span says which command on which
 * collection, never the filter or the documents (they hold personal data).
 */
function traceCommands(client: MongoClient): void {
  const open = new Map<string, Span>();
  // Sampled, not recording: the parent may have ended already (a DataLoader batch runs after
  // the resolver that asked for it returned).
  const sampled = (parent: SpanContext | undefined) =>
    !!parent && (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
  const keyOf = (e: CommandEvent) => `${e.connectionId ?? ''}:${e.requestId}`;
  client.on('commandStarted', (e) => {
    if (!tracingActive() || !sampled(trace.getSpanContext(otelContext.active()))) return;
    const collection = collectionOf(e);
    const [host, port] = e.address.split(/:(?=\d+$)/);
    if (open.size > 10_000) open.clear(); // answers that never came (a closed pool): not a leak
    open.set(
      keyOf(e),
      tracer().startSpan(collection ? `${e.commandName} ${collection}` : e.commandName, {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'mongodb',
          'db.namespace': e.databaseName,
          'db.operation.name': e.commandName,
          ...(collection ? { 'db.collection.name': collection } : {}),
          'server.address': host ?? e.address,
          ...(port ? { 'server.port': Number(port) } : {}),
        },
      }),
    );
  });
  const finish = (failed: boolean) => (e: CommandEvent & { failure?: unknown }) => {
    if (open.size === 0) return;
    const span = open.get(keyOf(e));
    if (!span) return;
    open.delete(keyOf(e));
    if (failed) failSpan(span, e.failure);
    span.end();
  };
  client.on('commandSucceeded', finish(false));
  client.on('commandFailed', finish(true));
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
