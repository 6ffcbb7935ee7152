// Starts the notifications subgraph for one test file: its own database, real HTTP, and a caller that
// signs each request for the notifications audience as the gateway does.
import { callInternal, ensureIndexes, mintInternalToken, type Identity } from '@yuejuan/runtime';
import {
  callSubgraph,
  openTestDatabase,
  testLogger,
  testMongoUri,
  testSecrets,
} from '@yuejuan/runtime/testing';
import { loadNotificationsConfig } from '../src/config.ts';
import type { SmsProvider } from '../src/providers/index.ts';
import { createServer } from '../src/server.ts';

export interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export type Harness = Awaited<ReturnType<typeof startNotifications>>;

export interface HarnessOptions {
  /** Settings on top of the test defaults (fast polling and backoff). */
  env?: Record<string, string>;
  /** Captures every log line of the subgraph (testLogger). */
  logLines?: string[];
  provider?: SmsProvider;
  /** The run's secrets (share them with a fake identity). */
  secrets?: ReturnType<typeof testSecrets>;
}

/** Quick timings for tests: retries soon, short leases (no fast polling: queued work wakes the sender). */
export const fastEnv = {
  SMS_BACKOFF_BASE_MS: '100',
  SMS_BACKOFF_CAP_MS: '1000',
  SMS_LEASE_MS: '5000',
  SMS_PROVIDER_TIMEOUT_MS: '2000',
};

export async function startNotifications(label: string, options: HarnessOptions = {}) {
  const secrets = options.secrets ?? testSecrets();
  const db = await openTestDatabase(label, { monitorCommands: true });
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: testMongoUri(),
    YUEJUAN_INTERNAL_SECRET: secrets.internal,
    PORT: '0',
    ...fastEnv,
    ...options.env,
  };
  const config = loadNotificationsConfig(env);
  const server = createServer({
    config,
    connection: db,
    bus: db.bus,
    logger: testLogger('notifications', options.logLines),
    provider: options.provider,
  });
  await ensureIndexes(db);
  const url = await server.start();
  const baseUrl = url.replace(/\/graphql$/, '');

  /** One operation as `identity`, with a token minted for the notifications subgraph. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON answer freely
  async function call<T = any>(
    identity: Identity,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResult<T>> {
    const res = await callSubgraph(
      url,
      { query, variables },
      { secret: secrets.internal, audience: 'notifications', identity },
    );
    return { status: res.status, ...(res.body as Omit<GraphQLResult<T>, 'status'>) };
  }

  /** `POST /internal/sms` as another subgraph would call it. */
  const sms = (body: unknown, service = 'identity') =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
    callInternal<any>(
      { baseUrl, audience: 'notifications', service, secret: secrets.internal },
      '/internal/sms',
      body,
    );

  return {
    db,
    url,
    baseUrl,
    secrets,
    config,
    call,
    sms,
    services: server.services,
    models: server.services.models,
    server,
    /** A token for this subgraph carrying `identity` (WebSocket tests). */
    token: (identity: Identity) => mintInternalToken(secrets.internal, 'notifications', identity),
    async stop() {
      await server.stop();
      await db.drop();
    },
  };
}

/** The codes of a result's errors, in order. */
export const codes = (result: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] =>
  (result.errors ?? []).map((e) => e.extensions?.code);

/** Waits until `check` holds (polling), failing after `ms`. */
export async function until<T>(check: () => Promise<T> | T, ms = 10_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
