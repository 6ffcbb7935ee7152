import { freePort } from '@yuejuan/database';
// Starts the real stack in-process for a test file: four subgraphs on ephemeral ports, each on
// its own isolated database of the test run's server, and the gateway in front of them.
import { connectMongo, createEventBus, ensureIndexes } from '@yuejuan/runtime';
import {
  openTestDatabase,
  testLogger,
  testMongoUri,
  testSecrets,
  uniqueDatabaseName,
  type TestDatabase,
} from '@yuejuan/runtime/testing';
import { createServer as createIdentity } from '@yuejuan/identity';
import { loadIdentityConfig } from '@yuejuan/identity/config';
import { createServer as createCases } from '@yuejuan/cases';
import { loadCasesConfig } from '@yuejuan/cases/config';
import { createServer as createReading } from '@yuejuan/reading';
import { loadReadingConfig } from '@yuejuan/reading/config';
import { createServer as createNotifications } from '@yuejuan/notifications';
import { loadNotificationsConfig } from '@yuejuan/notifications/config';
import { createGateway } from '../src/server.ts';
import { loadGatewayConfig } from '../src/config.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';

export type Stack = Awaited<ReturnType<typeof startStack>>;
type SubgraphKey = 'identity' | 'cases' | 'reading' | 'notifications';

export interface StackOptions {
  /** Gateway settings on top of the test ones (NODE_ENV, YUEJUAN_PERSISTED_ONLY, …). */
  gatewayEnv?: Record<string, string>;
  /** Put a fault proxy between the gateway and every subgraph (stack.proxies). */
  proxies?: boolean;
  /** Another database server than the test run's (a test that stops and starts its own). */
  mongoUri?: string;
  /** Collects the gateway's log lines. */
  gatewayLogLines?: string[];
  /** Collects a subgraph's log lines. */
  subgraphLogLines?: Partial<Record<SubgraphKey, string[]>>;
  /** Settings of one subgraph on top of the test ones (small limits, short lifetimes, …). */
  subgraphEnv?: Partial<Record<SubgraphKey, Record<string, string>>>;
  /** The identity subgraph's clock and SMS channel (default: the real clock, notifications' SMS route). */
  identityDeps?: Pick<Parameters<typeof createIdentity>[0], 'now' | 'sms'>;
}

/** A database on `uri` shaped like openTestDatabase's (events bus, drop). */
async function openDatabaseOn(uri: string, label: string): Promise<TestDatabase> {
  const connection = await connectMongo(uri, uniqueDatabaseName(label), { monitorCommands: true });
  const bus = createEventBus({
    client: connection.getClient(),
    dbName: `${connection.name}_ev`,
    logger: testLogger('bus'),
  });
  return Object.assign(connection, {
    bus,
    async drop() {
      await bus.close();
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  });
}

export async function startStack(label: string, options: StackOptions = {}) {
  const secrets = testSecrets();
  const mongoUri = options.mongoUri ?? testMongoUri();
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: mongoUri,
    YUEJUAN_INTERNAL_SECRET: secrets.internal,
    PORT: '0',
  };
  const open = (l: string) =>
    options.mongoUri
      ? openDatabaseOn(options.mongoUri, l)
      : openTestDatabase(l, { monitorCommands: true });
  const db = {
    identity: await open(`${label}_id`),
    cases: await open(`${label}_cs`),
    reading: await open(`${label}_rd`),
    notifications: await open(`${label}_nt`),
  };
  const eventsDb = uniqueDatabaseName(`${label}_ev`);
  const bus = Object.fromEntries(
    Object.entries(db).map(([name, c]) => [
      name,
      createEventBus({
        client: c.getClient(),
        dbName: eventsDb,
        logger: testLogger(`${name}-bus`),
      }),
    ]),
  ) as Record<keyof typeof db, ReturnType<typeof createEventBus>>;
  // Ports are picked first: subgraphs call each other's internal routes, so each needs the
  // others' addresses in its configuration before it starts.
  const ports = {
    identity: await freePort(),
    cases: await freePort(),
    reading: await freePort(),
    notifications: await freePort(),
  };
  const internal = {
    IDENTITY_INTERNAL_URL: `http://127.0.0.1:${ports.identity}`,
    CASES_INTERNAL_URL: `http://127.0.0.1:${ports.cases}`,
    READING_INTERNAL_URL: `http://127.0.0.1:${ports.reading}`,
    NOTIFICATIONS_INTERNAL_URL: `http://127.0.0.1:${ports.notifications}`,
  };
  const envOf = (name: keyof typeof ports, extra: Record<string, string> = {}) => ({
    ...env,
    ...internal,
    PORT: String(ports[name]),
    ...extra,
    ...options.subgraphEnv?.[name],
  });
  const identity = createIdentity({
    config: loadIdentityConfig(envOf('identity', { YUEJUAN_ID_HASH_KEY: secrets.idHash })),
    connection: db.identity,
    logger: testLogger('identity', options.subgraphLogLines?.identity),
    bus: bus.identity,
    ...options.identityDeps,
  });
  const cases = createCases({
    config: loadCasesConfig(envOf('cases')),
    connection: db.cases,
    logger: testLogger('cases', options.subgraphLogLines?.cases),
    bus: bus.cases,
  });
  const reading = createReading({
    config: loadReadingConfig(envOf('reading')),
    connection: db.reading,
    logger: testLogger('reading', options.subgraphLogLines?.reading),
    bus: bus.reading,
  });
  const notifications = createNotifications({
    config: loadNotificationsConfig(envOf('notifications')),
    connection: db.notifications,
    logger: testLogger('notifications', options.subgraphLogLines?.notifications),
    bus: bus.notifications,
  });
  await Promise.all(Object.values(db).map((c) => ensureIndexes(c)));
  const urls = {
    identity: await identity.start(),
    cases: await cases.start(),
    reading: await reading.start(),
    notifications: await notifications.start(),
  };
  const proxies = options.proxies
    ? (Object.fromEntries(
        await Promise.all(
          Object.entries(urls).map(async ([name, u]) => [name, await startFaultProxy(u)]),
        ),
      ) as Record<SubgraphKey, FaultProxy>)
    : undefined;
  const gatewayUrls = proxies
    ? (Object.fromEntries(Object.entries(proxies).map(([name, p]) => [name, p.url])) as Record<
        SubgraphKey,
        string
      >)
    : urls;
  const gatewayEnv = (extra: Record<string, string> = {}) => ({
    ...env,
    IDENTITY_URL: gatewayUrls.identity,
    CASES_URL: gatewayUrls.cases,
    READING_URL: gatewayUrls.reading,
    NOTIFICATIONS_URL: gatewayUrls.notifications,
    SUBGRAPH_TIMEOUT_MS: '5000',
    ...extra,
  });
  const gateway = createGateway(
    loadGatewayConfig(gatewayEnv(options.gatewayEnv)),
    testLogger('gateway', options.gatewayLogLines),
  );
  const url = await gateway.start();
  const extraGateways: ReturnType<typeof createGateway>[] = [];

  /** POSTs one operation to the gateway, as a client would. */
  async function query<T = Record<string, unknown>>(
    source: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ) {
    return queryAt<T>(url, source, variables, token);
  }

  async function queryAt<T = Record<string, unknown>>(
    at: string,
    source: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ) {
    const res = await fetch(at, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: source, variables }),
    });
    const body = (await res.json()) as {
      data?: T | null;
      errors?: {
        message: string;
        path?: (string | number)[];
        extensions?: Record<string, unknown>;
      }[];
    };
    return { status: res.status, ...body };
  }

  return {
    url,
    urls,
    secrets,
    db,
    bus,
    eventsDb,
    gateway,
    services: {
      identity: identity.services,
      cases: cases.services,
      notifications: notifications.services,
    },
    subgraphs: { identity, cases, reading, notifications },
    proxies,
    query,
    /**
     * Starts another gateway in front of the same subgraphs with other settings (production,
     * persisted-only, …); it stops with the stack. Returns its URL and a query function.
     */
    async startGateway(extra: Record<string, string>, logLines?: string[]) {
      const other = createGateway(
        loadGatewayConfig(gatewayEnv(extra)),
        testLogger('gateway-extra', logLines),
      );
      extraGateways.push(other);
      const otherUrl = await other.start();
      return {
        url: otherUrl,
        gateway: other,
        query: <T = Record<string, unknown>>(
          source: string,
          variables: Record<string, unknown> = {},
          token?: string,
        ) => queryAt<T>(otherUrl, source, variables, token),
      };
    },
    async stop() {
      await Promise.all(extraGateways.map((g) => g.stop()));
      await gateway.stop();
      await Promise.all(Object.values(proxies ?? {}).map((p) => p.close()));
      await Promise.all([identity.stop(), cases.stop(), reading.stop(), notifications.stop()]);
      await Promise.all(Object.values(bus).map((b) => b.close()));
      await db.identity
        .getClient()
        .db(eventsDb)
        .dropDatabase()
        .catch(() => undefined);
      await Promise.all(Object.values(db).map((c) => c.drop()));
    },
  };
}
