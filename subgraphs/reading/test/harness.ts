// Starts the reading subgraph for one test file over real HTTP, beside the real cases subgraph
// (reading asks it about bindings through /internal/bindings/check), and a small stand-in for
// the internal routes of identity (/internal/contacts) and notifications (/internal/sms) that
// records the SMS requests, so tests can read the passwords a lawyer would receive.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureIndexes,
  internalTokenHeader,
  mintInternalToken,
  type Identity,
} from '@yuejuan/runtime';
import {
  callSubgraph,
  openTestDatabase,
  testLogger,
  testMongoUri,
  testSecrets,
} from '@yuejuan/runtime/testing';
import { createServer as createCases } from '@yuejuan/cases';
import { startPeers } from './peers.ts';
import { loadCasesConfig } from '@yuejuan/cases/config';
import { loadReadingConfig } from '../src/config.ts';
import { createServer } from '../src/server.ts';

export type Harness = Awaited<ReturnType<typeof startReading>>;

export async function startReading(label: string, env: Record<string, string> = {}) {
  const secrets = testSecrets();
  const base = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: testMongoUri(),
    YUEJUAN_INTERNAL_SECRET: secrets.internal,
    PORT: '0',
  } as const;
  const blobDir = await mkdtemp(join(tmpdir(), `yuejuan-${label}-blobs-`));
  const casesDb = await openTestDatabase(`${label}_cs`);
  const db = await openTestDatabase(`${label}_rd`, { monitorCommands: true });
  const peers = await startPeers(secrets.internal);
  const cases = createCases({
    config: loadCasesConfig({ ...base, BLOB_DIR: blobDir }),
    connection: casesDb,
    bus: casesDb.bus,
    logger: testLogger('cases'),
  });
  await ensureIndexes(casesDb);
  const casesUrl = (await cases.start()).replace(/\/graphql$/, '');
  const config = loadReadingConfig({
    ...base,
    BLOB_DIR: blobDir,
    CASES_INTERNAL_URL: casesUrl,
    IDENTITY_INTERNAL_URL: peers.url,
    NOTIFICATIONS_INTERNAL_URL: peers.url,
    BUILD_STALE_SECONDS: '5',
    ...env,
  });
  let server = createServer({ config, connection: db, bus: db.bus, logger: testLogger('reading') });
  await ensureIndexes(db);
  let url = await server.start();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
  async function call<T = any>(
    identity: Identity,
    query: string,
    variables?: Record<string, unknown>,
  ) {
    const res = await callSubgraph(
      url,
      { query, variables },
      { secret: secrets.internal, audience: 'reading', identity },
    );
    return res.body as {
      data?: T | null;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    };
  }
  /** A request to a reading HTTP route, signed for `identity` as the gateway would sign it. */
  async function route(
    identity: Identity | null,
    path: string,
    init: RequestInit = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (identity)
      headers.set(
        internalTokenHeader,
        await mintInternalToken(secrets.internal, 'reading', identity),
      );
    return fetch(`${url.replace(/\/graphql$/, '')}${path}`, {
      ...init,
      headers,
      ...(init.body ? { duplex: 'half' } : {}),
    } as RequestInit);
  }

  return {
    db,
    casesDb,
    config,
    secrets,
    blobDir,
    call,
    route,
    sms: peers.sms,
    cases: cases.services,
    get services() {
      return server.services;
    },
    get models() {
      return server.services.models;
    },
    /** Stops the reading process (as a crash or deploy would) and starts a new one on the same data. */
    async restart(extra: Record<string, string> = {}) {
      await server.stop();
      server = createServer({
        config: {
          ...config,
          ...loadReadingConfig({
            ...base,
            BLOB_DIR: blobDir,
            CASES_INTERNAL_URL: casesUrl,
            IDENTITY_INTERNAL_URL: peers.url,
            NOTIFICATIONS_INTERNAL_URL: peers.url,
            BUILD_STALE_SECONDS: '5',
            ...env,
            ...extra,
          }),
        },
        connection: db,
        bus: db.bus,
        logger: testLogger('reading'),
      });
      url = await server.start();
    },
    async stop() {
      await server.stop();
      await cases.stop();
      await peers.stop();
      await db.drop();
      await casesDb.drop();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}

/** The codes of a result's errors, in order. */
export const codes = (result: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] =>
  (result.errors ?? []).map((e) => e.extensions?.code);
