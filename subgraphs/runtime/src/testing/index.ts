import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import '@yuejuan/testing/provided';
import type { Connection } from 'mongoose';
import { connectMongo, type MongoOptions } from '../mongo.ts';
import { mintInternalToken, internalTokenHeader, type Identity } from '@yuejuan/platform';
import { createLogger, type Logger } from '@yuejuan/platform';
import { createEventBus, type EventBus } from '../bus/index.ts';

/** The database server of this test run (see global-setup). */
export const testMongoUri = (): string => inject('mongodbUri');

/** A database name no other test file uses: each file gets its own, dropped at the end. */
export function uniqueDatabaseName(label: string): string {
  return `t_${label.replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
}

export type TestDatabase = Connection & {
  /** An event bus on this test database's own events database. */
  bus: EventBus;
  /** Closes the bus, drops both databases and closes the connection. */
  drop(): Promise<void>;
};

/** Connects to a fresh, isolated database (with its own event bus); `drop()` removes both. */
export async function openTestDatabase(
  label: string,
  options: MongoOptions = {},
): Promise<TestDatabase> {
  const connection = await connectMongo(testMongoUri(), uniqueDatabaseName(label), options);
  const eventsDb = `${connection.name}_ev`;
  const bus = createEventBus({
    client: connection.getClient(),
    dbName: eventsDb,
    logger: testLogger('bus'),
  });
  return Object.assign(connection, {
    bus,
    async drop() {
      await bus.close();
      await connection
        .getClient()
        .db(eventsDb)
        .dropDatabase()
        .catch(() => undefined);
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  });
}

/** Random secrets for a test run (never the same twice, never committed). */
export function testSecrets() {
  return { internal: randomBytes(32).toString('hex'), idHash: randomBytes(32).toString('hex') };
}

/** A silent logger for tests (or one writing to `lines` when a test inspects logs). */
export function testLogger(name: string, lines?: string[]): Logger {
  if (!lines) return createLogger(name, 'silent');
  return createLogger(name, 'debug', { write: (line: string) => void lines.push(line) });
}

export {
  adminIdentity,
  anonymous,
  lawyerIdentity,
  prosecutorIdentity,
} from '@yuejuan/platform/testing';

/**
 * Sends one operation straight to a subgraph, as the gateway would: with a freshly minted
 * token for `audience` carrying `identity` (or with the given headers, to test refusals).
 */
export async function callSubgraph(
  url: string,
  body: { query: string; variables?: Record<string, unknown> },
  auth:
    { secret: string; audience: string; identity: Identity } | { headers: Record<string, string> },
): Promise<{
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if ('headers' in auth) Object.assign(headers, auth.headers);
  else
    headers[internalTokenHeader] = await mintInternalToken(
      auth.secret,
      auth.audience,
      auth.identity,
    );
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as never };
}
