// Starts the real stack in-process for a test file: four subgraphs on ephemeral ports, each on
// its own isolated database of the test run's server, and the gateway in front of them.
import { createEventBus, ensureIndexes } from '@yuejuan/runtime';
import { openTestDatabase, testLogger, testMongoUri, testSecrets, uniqueDatabaseName } from '@yuejuan/runtime/testing';
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

export type Stack = Awaited<ReturnType<typeof startStack>>;

export async function startStack(label: string) {
  const secrets = testSecrets();
  const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGODB_URI: testMongoUri(), YUEJUAN_INTERNAL_SECRET: secrets.internal, PORT: '0' };
  const db = {
    identity: await openTestDatabase(`${label}_id`, { monitorCommands: true }),
    cases: await openTestDatabase(`${label}_cs`, { monitorCommands: true }),
    reading: await openTestDatabase(`${label}_rd`, { monitorCommands: true }),
    notifications: await openTestDatabase(`${label}_nt`, { monitorCommands: true }),
  };
  const eventsDb = uniqueDatabaseName(`${label}_ev`);
  const bus = Object.fromEntries(Object.entries(db).map(([name, c]) => [name, createEventBus({ client: c.getClient(), dbName: eventsDb, logger: testLogger(`${name}-bus`) })])) as Record<keyof typeof db, ReturnType<typeof createEventBus>>;
  const identity = createIdentity({ config: loadIdentityConfig({ ...env, YUEJUAN_ID_HASH_KEY: secrets.idHash }), connection: db.identity, logger: testLogger('identity'), bus: bus.identity });
  const cases = createCases({ config: loadCasesConfig(env), connection: db.cases, logger: testLogger('cases'), bus: bus.cases });
  const reading = createReading({ config: loadReadingConfig(env), connection: db.reading, logger: testLogger('reading'), bus: bus.reading });
  const notifications = createNotifications({ config: loadNotificationsConfig(env), connection: db.notifications, logger: testLogger('notifications'), bus: bus.notifications });
  await Promise.all(Object.values(db).map((c) => ensureIndexes(c)));
  const urls = {
    identity: await identity.start(),
    cases: await cases.start(),
    reading: await reading.start(),
    notifications: await notifications.start(),
  };
  const gateway = createGateway(
    loadGatewayConfig({ ...env, IDENTITY_URL: urls.identity, CASES_URL: urls.cases, READING_URL: urls.reading, NOTIFICATIONS_URL: urls.notifications, SUBGRAPH_TIMEOUT_MS: '5000' }),
    testLogger('gateway'),
  );
  const url = await gateway.start();

  /** POSTs one operation to the gateway, as a client would. */
  async function query<T = Record<string, unknown>>(source: string, variables: Record<string, unknown> = {}, token?: string) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: source, variables }),
    });
    const body = (await res.json()) as { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
    return { status: res.status, ...body };
  }

  return {
    url,
    urls,
    secrets,
    db,
    bus,
    services: { identity: identity.services, cases: cases.services, notifications: notifications.services },
    subgraphs: { identity, cases, reading, notifications },
    query,
    async stop() {
      await gateway.stop();
      await Promise.all([identity.stop(), cases.stop(), reading.stop(), notifications.stop()]);
      await Promise.all(Object.values(bus).map((b) => b.close()));
      await db.identity.getClient().db(eventsDb).dropDatabase().catch(() => undefined);
      await Promise.all(Object.values(db).map((c) => c.drop()));
    },
  };
}
