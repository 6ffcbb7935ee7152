// Starts the identity subgraph for one test file: its own database, real HTTP, and a caller
// that signs each request for the identity audience as the gateway does (with the client's
// IP and user agent in the headers the gateway forwards).
import {
  ensureIndexes,
  internalTokenHeader,
  mintInternalToken,
  type Identity,
} from '@yuejuan/runtime';
import { openTestDatabase, testLogger, testMongoUri, testSecrets } from '@yuejuan/runtime/testing';
import { loadIdentityConfig } from '../src/config.ts';
import { createServer } from '../src/server.ts';
import type { FaceProvider } from '../src/services/face-provider.ts';
import type { SmsSender } from '../src/services/sms-sender.ts';
import { createTestClock, createRecordingSms } from './doubles.ts';

export interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** The browser or verifier on the other end, as the gateway would forward it. */
export interface Client {
  ip?: string;
  userAgent?: string;
}

export interface HarnessOptions {
  /** Extra configuration (e.g. small limits); rate limits are generous unless set here. */
  env?: Record<string, string>;
  /** The SMS channel (default: an in-memory recorder, the test double of notifications). */
  sms?: SmsSender;
  face?: FaceProvider;
  /** Use the configured providers (http SMS, FACE_PROVIDER) instead of test doubles. */
  configuredProviders?: boolean;
  /** Collects the subgraph's log lines (at debug level). */
  logLines?: string[];
}

export type Harness = Awaited<ReturnType<typeof startIdentity>>;

export async function startIdentity(label: string, options: HarnessOptions = {}) {
  const secrets = testSecrets();
  const db = await openTestDatabase(label, { monitorCommands: true });
  const config = loadIdentityConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: testMongoUri(),
    YUEJUAN_INTERNAL_SECRET: secrets.internal,
    PORT: '0',
    YUEJUAN_ID_HASH_KEY: secrets.idHash,
    RATE_TICKETS_PER_IP: '10000',
    RATE_CHALLENGES_PER_IP: '10000',
    RATE_LOGINS_PER_IP: '10000',
    ACTIVATION_FACE_MIN_MS: '0',
    ...options.env,
  });
  const clock = createTestClock();
  const sms = createRecordingSms();
  const server = createServer({
    config,
    connection: db,
    bus: db.bus,
    logger: testLogger('identity', options.logLines),
    now: clock.now,
    ...(options.configuredProviders ? {} : { sms: options.sms ?? sms, face: options.face }),
  });
  await ensureIndexes(db);
  const url = await server.start();

  /** One operation as `identity`, with a token minted for the identity subgraph. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON answer freely
  async function call<T = any>(
    identity: Identity,
    query: string,
    variables?: Record<string, unknown>,
    client: Client = {},
  ): Promise<GraphQLResult<T>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [internalTokenHeader]: await mintInternalToken(secrets.internal, 'identity', identity),
    };
    if (client.ip) headers['x-client-ip'] = client.ip;
    if (client.userAgent) headers['x-client-user-agent'] = client.userAgent;
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, ...((await res.json()) as Omit<GraphQLResult<T>, 'status'>) };
  }

  return {
    db,
    url,
    secrets,
    config,
    call,
    clock,
    sms,
    server,
    services: server.services,
    models: server.services.models,
    collections: server.services.collections,
    async stop() {
      await server.stop();
      await db.drop();
    },
  };
}

/** The codes of a result's errors, in order. */
export const codes = (result: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] =>
  (result.errors ?? []).map((e) => e.extensions?.code);
