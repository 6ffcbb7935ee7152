// Starts the cases subgraph for one test file: its own database, real HTTP, and a caller that
// signs each request for the cases audience as the gateway does.
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
import { loadCasesConfig } from '../src/config.ts';
import { createServer } from '../src/server.ts';

export interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export type Harness = Awaited<ReturnType<typeof startCases>>;

export async function startCases(label: string, env: Record<string, string> = {}) {
  const secrets = testSecrets();
  const db = await openTestDatabase(label, { monitorCommands: true });
  const blobDir = await mkdtemp(join(tmpdir(), `yuejuan-${label}-blobs-`));
  const config = loadCasesConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MONGODB_URI: testMongoUri(),
    YUEJUAN_INTERNAL_SECRET: secrets.internal,
    PORT: '0',
    BLOB_DIR: blobDir,
    ...env,
  });
  const server = createServer({ config, connection: db, bus: db.bus, logger: testLogger('cases') });
  await ensureIndexes(db);
  const url = await server.start();

  /** One operation as `identity`, with a token minted for the cases subgraph. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON answer freely
  async function call<T = any>(
    identity: Identity,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResult<T>> {
    const res = await callSubgraph(
      url,
      { query, variables },
      { secret: secrets.internal, audience: 'cases', identity },
    );
    return { status: res.status, ...(res.body as Omit<GraphQLResult<T>, 'status'>) };
  }

  const base = url.replace(/\/graphql$/, '');
  /** A request to one of the subgraph's HTTP routes, signed for `identity` as the gateway would. */
  async function route(
    identity: Identity | null,
    path: string,
    init: RequestInit = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (identity)
      headers.set(
        internalTokenHeader,
        await mintInternalToken(secrets.internal, 'cases', identity),
      );
    return fetch(`${base}${path}`, {
      ...init,
      headers,
      ...(init.body ? { duplex: 'half' } : {}),
    } as RequestInit);
  }

  return {
    db,
    url,
    secrets,
    call,
    route,
    blobDir,
    services: server.services,
    models: server.services.models,
    async stop() {
      await server.stop();
      await db.drop();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
}

/** The codes of a result's errors, in order. */
export const codes = (result: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] =>
  (result.errors ?? []).map((e) => e.extensions?.code);
