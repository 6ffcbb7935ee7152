// An attacker's view of the gateway's request line (issue 14): whatever target, method and
// headers arrive, the gateway connects only to its configured subgraphs, never answers 5xx,
// and never lets a signed internal token leave for a host the client chose.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mintInternalToken } from '@yuejuan/runtime';
import { startStack, type Stack } from './stack.ts';
import { lawyerToken, seedPeople } from './fixtures.ts';
import { internalsIn } from './http.ts';

/** Sends `request` (an exact request head, and an optional body) over a raw socket; the answer's status line and whole text. */
function raw(port: number, request: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
  });
}

describe('request targets and headers at the gateway', () => {
  let stack: Stack;
  let token: string;
  let port: number;
  /** A bystander on loopback: every request it receives is one the gateway was tricked into. */
  let trap: http.Server;
  let trapPort: number;
  const trapped: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    stack = await startStack('request-targets');
    token = await lawyerToken(stack, (await seedPeople(stack)).zhangSanId);
    port = Number(new URL(stack.url).port);
    trap = http.createServer((req, res) => {
      trapped.push(req.headers);
      res.end('trapped');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));
    trapPort = (trap.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => trap?.close(resolve));
  });

  const head = (line: string, headers: string[] = []) =>
    `${line}\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`;

  it('refuses an absolute-form target to another host: no request, no token reaches it (the SSRF of issue 14)', async () => {
    for (const path of [
      '/downloads/x',
      '/downloads/attachments/abc',
      '/graphql',
      '/uploads/attachments?kind=LICENCE&fileName=a.pdf',
      '/reader/r/v/1?w=800',
      '/volume-pages/v/1',
    ]) {
      const answer = await raw(port, head(`GET http://127.0.0.1:${trapPort}${path} HTTP/1.1`));
      expect(answer.status, path).toBe(400);
      expect(answer.text).toContain('BAD_REQUEST');
    }
    expect(trapped).toEqual([]);
  });

  it.each([
    ['a path that reads as a host', `GET //127.0.0.1:TRAP/downloads/x HTTP/1.1`],
    ['a backslash path', `GET /\\127.0.0.1:TRAP/downloads/x HTTP/1.1`],
    ['CONNECT to another host', `CONNECT 127.0.0.1:TRAP HTTP/1.1`],
    ['an asterisk target', `OPTIONS * HTTP/1.1`],
    ['an https absolute form', `GET https://127.0.0.1:TRAP/downloads/x HTTP/1.1`],
  ])('refuses %s without calling anyone', async (_, line) => {
    const answer = await raw(port, head(line.replace('TRAP', String(trapPort))));
    // CONNECT has no handler: Node answers 400 or closes the socket without an answer (status 0).
    expect([0, 400]).toContain(answer.status);
    expect(trapped).toEqual([]);
  });

  it('keeps file requests with encoded slashes and dot segments on the owning subgraph', async () => {
    for (const path of [
      '/downloads/%2F%2F127.0.0.1%3ATRAP%2Fx',
      '/downloads/..%2f..%2fgraphql',
      '/downloads/attachments/%5C%5C127.0.0.1',
      '/downloads/x/../../graphql',
      '/downloads/x?next=http://127.0.0.1:TRAP/',
      '/reader/x/%2F%2F127.0.0.1%3ATRAP/1',
      '/reader/x/y/..%2f..%2f..%2fgraphql',
      '/reader/x/y/1?w=99999',
      '/volume-pages/..%2fgraphql/1',
      '/volume-pages/x/0',
    ]) {
      const answer = await raw(
        port,
        head(`GET ${path.replace('TRAP', String(trapPort))} HTTP/1.1`),
      );
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
      expect(internalsIn(answer.text, Object.values(stack.urls)), path).toEqual([]);
    }
    expect(trapped).toEqual([]);
  });

  it('answers any fuzzed request line and headers without a 5xx, a leak or a call to another host', async () => {
    const target = fc.oneof(
      fc.constantFrom(
        '/graphql',
        '/downloads/',
        '/downloads/attachments/',
        '/uploads/attachments',
        '/uploads/volumes',
        '/reader/',
        '/volume-pages/',
        '/health',
        '/ready',
        '/explorer',
        '/',
      ),
      fc.string({ maxLength: 20 }).map((s) => `/${encodeURIComponent(s)}`),
      fc.constantFrom(
        `http://127.0.0.1:${trapPort}/`,
        `//127.0.0.1:${trapPort}/`,
        '/%2e%2e/%2e%2e/',
        '/%00',
        '/a%2Fb',
        '/downloads/%252F',
      ),
    );
    const suffix = fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s));
    const method = fc.constantFrom(
      'GET',
      'POST',
      'HEAD',
      'PUT',
      'DELETE',
      'OPTIONS',
      'PATCH',
      'TRACE',
    );
    const host = fc.constantFrom(
      `127.0.0.1:${port}`,
      `127.0.0.1:${trapPort}`,
      'evil.example',
      '',
      'localhost:1',
      '[::1]:1',
    );
    const extra = fc.subarray([
      `X-Forwarded-Host: 127.0.0.1:${trapPort}`,
      'X-Forwarded-Proto: https',
      `Forwarded: for=1.2.3.4;host=127.0.0.1:${trapPort}`,
      'X-Original-URL: /internal/sessions/resolve',
      'X-Rewrite-URL: /internal/sessions/resolve',
      'Transfer-Encoding: chunked',
      'Content-Encoding: gzip',
      'Content-Type: application/json',
      `X-Forwarded-For: 10.0.0.${port % 200}`,
    ]);
    await fc.assert(
      fc.asyncProperty(method, target, suffix, host, extra, async (m, t, s, h, headers) => {
        const line = `${m} ${t}${s} HTTP/1.1`;
        const request = `${line}\r\n${h ? `Host: ${h}\r\n` : ''}${headers.map((x) => `${x}\r\n`).join('')}Content-Length: 0\r\nConnection: close\r\n\r\n`;
        const answer = await raw(port, request.replace('Transfer-Encoding: chunked\r\n', ''));
        expect(answer.status, line).toBeGreaterThanOrEqual(200);
        expect(answer.status, line).toBeLessThan(500);
        expect(internalsIn(answer.text, Object.values(stack.urls)), line).toEqual([]);
        expect(answer.text).not.toMatch(/x-internal-token|eyJhbGciOi/i);
      }),
      { numRuns: 150 },
    );
    expect(trapped).toEqual([]);
  });

  it('refuses an internal token the second time, so one that leaked cannot be replayed against a subgraph', async () => {
    const leaked = await mintInternalToken(stack.secrets.internal, 'cases', { role: 'ANONYMOUS' });
    const call = () =>
      fetch(stack.urls.cases, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-internal-token': leaked },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
    expect((await call()).status).toBe(200);
    const replay = await call();
    expect(replay.status).toBe(401);
  });
});
