// Starts the identity subgraph for one test file: its own database, real HTTP, and a caller
// that signs each request for the identity audience as the gateway does.
import { ensureIndexes, type Identity } from '@yuejuan/runtime';
import { callSubgraph, openTestDatabase, testLogger, testMongoUri, testSecrets } from '@yuejuan/runtime/testing';
import { loadIdentityConfig } from '../src/config.ts';
import { createServer } from '../src/server.ts';

export interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export type Harness = Awaited<ReturnType<typeof startIdentity>>;

export async function startIdentity(label: string) {
  const secrets = testSecrets();
  const db = await openTestDatabase(label, { monitorCommands: true });
  const config = loadIdentityConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGODB_URI: testMongoUri(), YUEJUAN_INTERNAL_SECRET: secrets.internal, PORT: '0', YUEJUAN_ID_HASH_KEY: secrets.idHash,
  });
  const server = createServer({ config, connection: db, bus: db.bus, logger: testLogger('identity') });
  await ensureIndexes(db);
  const url = await server.start();

  /** One operation as `identity`, with a token minted for the identity subgraph. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON answer freely
  async function call<T = any>(identity: Identity, query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>> {
    const res = await callSubgraph(url, { query, variables }, { secret: secrets.internal, audience: 'identity', identity });
    return { status: res.status, ...(res.body as Omit<GraphQLResult<T>, 'status'>) };
  }

  return {
    db, url, secrets, config, call,
    services: server.services,
    models: server.services.models,
    async stop() {
      await server.stop();
      await db.drop();
    },
  };
}

/** The codes of a result's errors, in order. */
export const codes = (result: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] => (result.errors ?? []).map((e) => e.extensions?.code);
