import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../src/http-client.ts';

/** A JSON echo server that counts connections and requests, and can drop its idle sockets. */
function startCountingServer() {
  const sockets = new Set<Socket>();
  const stats = { connections: 0, requests: 0, closed: 0 };
  const server = http.createServer((req, res) => {
    stats.requests += 1;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ echo: JSON.parse(body) as unknown }));
    });
  });
  server.on('connection', (socket) => {
    stats.connections += 1;
    sockets.add(socket);
    socket.on('close', () => {
      stats.closed += 1;
      sockets.delete(socket);
    });
  });
  return {
    stats,
    server,
    /** Closes every connection, as a restarted service would. */
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    listen: () =>
      new Promise<URL>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`)),
        ),
      ),
  };
}

describe('the gateway HTTP client (subgraph fetches, session lookups)', () => {
  const counting = startCountingServer();
  let url: URL;
  beforeAll(async () => {
    url = await counting.listen();
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        counting.server.closeAllConnections();
        counting.server.close(() => r());
      }),
  );

  it('sends reads on one kept-alive connection', async () => {
    const before = { ...counting.stats };
    for (let i = 0; i < 5; i++) {
      const res = await postJson(
        url,
        JSON.stringify({ i }),
        {},
        { timeoutMs: 2000, repeatable: true },
      );
      expect(res).toMatchObject({ status: 200, body: { echo: { i } } });
    }
    expect(counting.stats.requests - before.requests).toBe(5);
    expect(counting.stats.connections - before.connections).toBeLessThanOrEqual(1);
  });

  it('sends a read once more on a new connection when its kept-alive socket was closed under it', async () => {
    await postJson(url, '{"warm":true}', {}, { timeoutMs: 2000, repeatable: true });
    counting.dropAll(); // the service restarted: the pooled socket is dead, the client not told yet
    const before = { ...counting.stats };
    const res = await postJson(
      url,
      '{"after":"restart"}',
      {},
      { timeoutMs: 2000, repeatable: true },
    );
    expect(res.body).toEqual({ echo: { after: 'restart' } });
    expect(counting.stats.requests - before.requests).toBe(1);
  });

  it('sends a mutation on its own connection, never on a reused one, and closes it after the answer', async () => {
    await postJson(url, '{"warm":true}', {}, { timeoutMs: 2000, repeatable: true });
    counting.dropAll();
    const before = { ...counting.stats };
    const res = await postJson(url, '{"mutation":1}', {}, { timeoutMs: 2000, repeatable: false });
    expect(res.body).toEqual({ echo: { mutation: 1 } });
    await new Promise((r) => setTimeout(r, 50));
    expect(counting.stats.requests - before.requests).toBe(1);
    expect(counting.stats.connections - before.connections).toBe(1);
    expect(counting.stats.closed - before.closed).toBeGreaterThanOrEqual(1);
  });

  it('gives up at its deadline with a TimeoutError', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const silentUrl = new URL(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`);
    const err = await postJson(silentUrl, '{}', {}, { timeoutMs: 200, repeatable: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ name: 'TimeoutError' });
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});
