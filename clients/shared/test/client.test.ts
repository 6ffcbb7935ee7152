import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, parse } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../src/client.ts';

// A tiny real GraphQL endpoint: HTTP that records what it received, and graphql-ws that
// records the connection_init payload and streams two events.
const seen: {
  method?: string;
  authorization?: string;
  contentType?: string;
  connectionParams?: unknown;
  body?: Record<string, unknown>;
  subscribed?: Record<string, unknown>;
} = {};
// What the "manifest" of this endpoint knows by hash (as the gateway does in production).
const byHash: Record<string, string> = {
  ['a'.repeat(64)]: 'query Hello { hello }',
  ['b'.repeat(64)]: 'subscription Ticks { ticks }',
};
let server: http.Server;
let base: string;

const schema = buildSchema(/* GraphQL */ `
  type Query {
    hello: String
  }
  type Subscription {
    ticks: Int
  }
`);
const roots = {
  query: { hello: () => 'ok' },
  subscription: {
    ticks: async function* () {
      yield { ticks: 1 };
      yield { ticks: 2 };
    },
  },
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.method = req.method;
    seen.authorization = req.headers.authorization;
    seen.contentType = req.headers['content-type'];
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.body = JSON.parse(body) as Record<string, unknown>;
      const hash = (seen.body.extensions as { persistedQuery?: { sha256Hash: string } } | undefined)
        ?.persistedQuery?.sha256Hash;
      if (hash && !byHash[hash]) {
        res.statusCode = 400;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            errors: [
              {
                message: '未知的持久化操作，请更新客户端后重试。',
                extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
              },
            ],
          }),
        );
        return;
      }
      const query = (hash ? byHash[hash] : seen.body.query) as string;
      res.setHeader('content-type', 'application/json');
      if (query.includes('fail')) {
        res.end(
          JSON.stringify({
            data: null,
            errors: [{ message: '请先登录。', extensions: { code: 'UNAUTHENTICATED' } }],
          }),
        );
        return;
      }
      res.end(JSON.stringify({ data: { hello: 'ok' } }));
    });
  });
  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer(
    {
      schema,
      roots,
      onConnect: (ctx) => {
        seen.connectionParams = ctx.connectionParams;
        return true;
      },
      onSubscribe: (_ctx, _id, payload) => {
        seen.subscribed = payload as unknown as Record<string, unknown>;
        const hash = (payload.extensions as { persistedQuery?: { sha256Hash: string } } | undefined)
          ?.persistedQuery?.sha256Hash;
        return hash
          ? { schema, document: parse(byHash[hash]!), rootValue: roots.subscription }
          : undefined;
      },
    },
    wss,
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
);

describe('createApi', () => {
  it('POSTs queries with the bearer token', async () => {
    const api = createApi({
      httpUrl: `http://${base}/graphql`,
      wsUrl: `ws://${base}/graphql`,
      getToken: () => 'tok-1',
    });
    expect(
      await api.query(/* GraphQL */ `
        query {
          hello
        }
      `),
    ).toEqual({ hello: 'ok' });
    expect(seen).toMatchObject({ method: 'POST', authorization: 'Bearer tok-1' });
    expect(seen.contentType).toContain('application/json');
  });

  it('sends no Authorization header when logged out', async () => {
    const api = createApi({
      httpUrl: `http://${base}/graphql`,
      wsUrl: `ws://${base}/graphql`,
      getToken: () => null,
    });
    await api.query(/* GraphQL */ `
      query {
        hello
      }
    `);
    expect(seen.authorization).toBeUndefined();
  });

  it('throws the Chinese ApiError and reports a lost session', async () => {
    let lost = 0;
    const api = createApi({
      httpUrl: `http://${base}/graphql`,
      wsUrl: `ws://${base}/graphql`,
      getToken: () => 'old',
      onUnauthenticated: () => lost++,
    });
    await expect(
      api.query(/* GraphQL */ `
        query fail {
          hello
        }
      `),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: '请先登录。' });
    expect(lost).toBe(1);
  });

  it('subscribes over graphql-ws with the token in connection_init', async () => {
    const api = createApi({
      httpUrl: `http://${base}/graphql`,
      wsUrl: `ws://${base}/graphql`,
      getToken: () => 'tok-ws',
      webSocketImpl: WebSocket,
    });
    const events: number[] = [];
    await new Promise<void>((resolve) => {
      api.subscribe(
        /* GraphQL */ `
          subscription {
            ticks
          }
        `,
        {},
        (d: { ticks: number }) => {
          events.push(d.ticks);
          if (events.length === 2) resolve();
        },
      );
    });
    expect(events).toEqual([1, 2]);
    expect(seen.connectionParams).toEqual({ authorization: 'Bearer tok-ws' });
    api.reconnect();
  });

  it('names operations of the persisted map by hash, over HTTP and the socket, and sends others as text', async () => {
    const persisted = { Hello: 'a'.repeat(64), Ticks: 'b'.repeat(64) };
    const api = createApi({
      httpUrl: `http://${base}/graphql`,
      wsUrl: `ws://${base}/graphql`,
      getToken: () => null,
      webSocketImpl: WebSocket,
      persisted,
    });
    expect(
      await api.query(/* GraphQL */ `
        query Hello {
          hello
        }
      `),
    ).toEqual({ hello: 'ok' });
    expect(seen.body).toMatchObject({
      operationName: 'Hello',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
    });
    expect(seen.body).not.toHaveProperty('query');
    await api.query(/* GraphQL */ `
      query Other {
        hello
      }
    `);
    expect(seen.body).toMatchObject({ query: expect.stringContaining('query Other') });
    expect(seen.body?.extensions ?? {}).not.toHaveProperty('persistedQuery');
    const events: number[] = [];
    await new Promise<void>((resolve) => {
      api.subscribe(
        /* GraphQL */ `
          subscription Ticks {
            ticks
          }
        `,
        {},
        (d: { ticks: number }) => {
          events.push(d.ticks);
          if (events.length === 2) resolve();
        },
      );
    });
    expect(events).toEqual([1, 2]);
    expect(seen.subscribed).toMatchObject({
      query: '',
      extensions: { persistedQuery: { sha256Hash: 'b'.repeat(64) } },
    });
    api.reconnect();
  });

  it('sends the text once the gateway does not know a hash (a build and a manifest of different commits), and from then on', async () => {
    const bodies: Record<string, unknown>[] = [];
    const recording: typeof fetch = async (input, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    };
    const api = createApi({
      httpUrl: `http://${base}/graphql`,
      wsUrl: `ws://${base}/graphql`,
      getToken: () => null,
      fetch: recording,
      persisted: { Stale: 'c'.repeat(64) },
    });
    expect(
      await api.query(/* GraphQL */ `
        query Stale {
          hello
        }
      `),
    ).toEqual({ hello: 'ok' });
    expect(
      bodies.map((b) => [
        Boolean(b.query),
        (b.extensions as { persistedQuery?: unknown } | undefined)?.persistedQuery !== undefined,
      ]),
    ).toEqual([
      [false, true],
      [true, false],
    ]);
    await api.query(/* GraphQL */ `
      query Stale {
        hello
      }
    `);
    expect(bodies[2]).toMatchObject({ query: expect.stringContaining('query Stale') });
  });
});

describe('a socket lost under a live subscription (a gateway restarting)', () => {
  it('reconnects, subscribes again and tells the page to read its data again, once', async () => {
    // A server whose subscription ticks until the client leaves.
    const tickSchema = buildSchema(/* GraphQL */ `
      type Query {
        hello: String
      }
      type Subscription {
        ticks: Int
      }
    `);
    let n = 0;
    const live = http.createServer();
    const wss = new WebSocketServer({ server: live, path: '/graphql' });
    let subscriptions = 0;
    useServer(
      {
        schema: tickSchema,
        roots: {
          subscription: {
            ticks: async function* () {
              subscriptions++;
              for (;;) {
                await new Promise((r) => setTimeout(r, 20));
                yield { ticks: ++n };
              }
            },
          },
        },
      },
      wss,
    );
    await new Promise<void>((resolve) => live.listen(0, '127.0.0.1', resolve));
    const url = `127.0.0.1:${(live.address() as AddressInfo).port}`;
    let reconnected = 0;
    const api = createApi({
      httpUrl: `http://${url}/graphql`,
      wsUrl: `ws://${url}/graphql`,
      getToken: () => null,
      webSocketImpl: WebSocket,
      onReconnected: () => reconnected++,
    });
    const got: number[] = [];
    const stop = api.subscribe(parse('subscription Ticks { ticks }'), {}, (d: { ticks: number }) =>
      got.push(d.ticks),
    );
    try {
      await expect.poll(() => got.length).toBeGreaterThan(2);
      expect(reconnected).toBe(0); // the first connection is not a reconnection
      // The gateway drains: its sockets close with 1001 Going Away.
      for (const socket of wss.clients) socket.close(1001, 'Going away');
      const before = got.length;
      await expect.poll(() => reconnected, { timeout: 10_000 }).toBe(1);
      await expect.poll(() => got.length, { timeout: 10_000 }).toBeGreaterThan(before + 2);
      expect(subscriptions).toBe(2); // subscribed again on the new socket
    } finally {
      stop();
      api.reconnect();
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => live.close(() => resolve()));
    }
    expect(reconnected).toBe(1);
  });
});
