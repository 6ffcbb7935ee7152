import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../src/client.ts';

// A tiny real GraphQL endpoint: HTTP that records what it received, and graphql-ws that
// records the connection_init payload and streams two events.
const seen: { method?: string; authorization?: string; contentType?: string; connectionParams?: unknown } = {};
let server: http.Server;
let base: string;

const schema = buildSchema(/* GraphQL */ `
  type Query { hello: String }
  type Subscription { ticks: Int }
`);
const roots = {
  query: { hello: () => 'ok' },
  subscription: { ticks: async function* () { yield { ticks: 1 }; yield { ticks: 2 }; } },
};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.method = req.method;
    seen.authorization = req.headers.authorization;
    seen.contentType = req.headers['content-type'];
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { query } = JSON.parse(body) as { query: string };
      res.setHeader('content-type', 'application/json');
      if (query.includes('fail')) {
        res.end(JSON.stringify({ data: null, errors: [{ message: '请先登录。', extensions: { code: 'UNAUTHENTICATED' } }] }));
        return;
      }
      res.end(JSON.stringify({ data: { hello: 'ok' } }));
    });
  });
  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer({ schema, roots, onConnect: (ctx) => { seen.connectionParams = ctx.connectionParams; return true; } }, wss);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

describe('createApi', () => {
  it('POSTs queries with the bearer token', async () => {
    const api = createApi({ httpUrl: `http://${base}/graphql`, wsUrl: `ws://${base}/graphql`, getToken: () => 'tok-1' });
    expect(await api.query(/* GraphQL */ `query { hello }`)).toEqual({ hello: 'ok' });
    expect(seen).toMatchObject({ method: 'POST', authorization: 'Bearer tok-1' });
    expect(seen.contentType).toContain('application/json');
  });

  it('sends no Authorization header when logged out', async () => {
    const api = createApi({ httpUrl: `http://${base}/graphql`, wsUrl: `ws://${base}/graphql`, getToken: () => null });
    await api.query(/* GraphQL */ `query { hello }`);
    expect(seen.authorization).toBeUndefined();
  });

  it('throws the Chinese ApiError and reports a lost session', async () => {
    let lost = 0;
    const api = createApi({ httpUrl: `http://${base}/graphql`, wsUrl: `ws://${base}/graphql`, getToken: () => 'old', onUnauthenticated: () => lost++ });
    await expect(api.query(/* GraphQL */ `query fail { hello }`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: '请先登录。' });
    expect(lost).toBe(1);
  });

  it('subscribes over graphql-ws with the token in connection_init', async () => {
    const api = createApi({ httpUrl: `http://${base}/graphql`, wsUrl: `ws://${base}/graphql`, getToken: () => 'tok-ws', webSocketImpl: WebSocket });
    const events: number[] = [];
    await new Promise<void>((resolve) => {
      api.subscribe(/* GraphQL */ `subscription { ticks }`, {}, (d: { ticks: number }) => { events.push(d.ticks); if (events.length === 2) resolve(); });
    });
    expect(events).toEqual([1, 2]);
    expect(seen.connectionParams).toEqual({ authorization: 'Bearer tok-ws' });
    api.reconnect();
  });
});
