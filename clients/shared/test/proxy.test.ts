import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  downloadKey,
  gatewayOrigin,
  gatewayWsUrl,
  isGatewayPath,
  proxyToGateway,
} from '../src/server/proxy.ts';

let upstream: http.Server;
let origin: string;
let last: { url?: string; method?: string; headers?: http.IncomingHttpHeaders; body?: string } = {};

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      last = { url: req.url, method: req.method, headers: req.headers, body };
      res.setHeader('content-type', 'application/zip');
      res.setHeader('content-range', 'bytes 0-3/10');
      res.setHeader('set-cookie', 'x=1');
      res.statusCode = 206;
      res.end('PK\u0003\u0004');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

describe('proxyToGateway', () => {
  it('turns the download cookie of a browser-managed package download into its download key header (never Authorization), and forwards no cookie', async () => {
    const request = new Request('http://127.0.0.1:3000/downloads/grant-abc', {
      headers: {
        cookie: 'other=1; yj_download=tok%2Be%3D; x=2',
        range: 'bytes=4-',
        'if-range': '"abc"',
      },
    });
    await proxyToGateway(request, '203.0.113.7', origin);
    expect(last.url).toBe('/downloads/grant-abc');
    expect(last.headers).toMatchObject({
      'x-download-key': 'tok+e=',
      range: 'bytes=4-',
      'if-range': '"abc"',
    });
    expect(last.headers?.authorization).toBeUndefined();
    expect(last.headers?.cookie).toBeUndefined();
  });

  it('uses the download cookie only for GET/HEAD of a package download', () => {
    const cookie = { cookie: 'yj_download=tok' };
    expect(
      downloadKey(new Request('http://a/downloads/g1', { headers: cookie }), '/downloads/g1'),
    ).toBe('tok');
    expect(
      downloadKey(
        new Request('http://a/downloads/g1', { method: 'HEAD', headers: cookie }),
        '/downloads/g1',
      ),
    ).toBe('tok');
    expect(
      downloadKey(
        new Request('http://a/downloads/attachments/a1', { headers: cookie }),
        '/downloads/attachments/a1',
      ),
    ).toBeNull();
    expect(
      downloadKey(new Request('http://a/graphql', { headers: cookie }), '/graphql'),
    ).toBeNull();
    expect(
      downloadKey(
        new Request('http://a/downloads/g1', { method: 'POST', body: 'x', headers: cookie }),
        '/downloads/g1',
      ),
    ).toBeNull();
    expect(
      downloadKey(
        new Request('http://a/downloads/g1', { headers: { cookie: 'yj_download=%E0%A4%A' } }),
        '/downloads/g1',
      ),
    ).toBeNull();
  });

  it('forwards path, query, body and the headers the gateway needs, adding X-Forwarded-For', async () => {
    const request = new Request(
      'http://127.0.0.1:3000/uploads/attachments?kind=LICENCE&fileName=a.pdf',
      {
        method: 'POST',
        body: '%PDF-1.4',
        headers: {
          authorization: 'Bearer t',
          'content-type': 'application/pdf',
          cookie: 'secret=1',
          'user-agent': 'UA',
        },
      },
    );
    const res = await proxyToGateway(request, '203.0.113.7', origin);
    expect(last.url).toBe('/uploads/attachments?kind=LICENCE&fileName=a.pdf');
    expect(last.method).toBe('POST');
    expect(last.body).toBe('%PDF-1.4');
    expect(last.headers).toMatchObject({
      authorization: 'Bearer t',
      'content-type': 'application/pdf',
      'x-forwarded-for': '203.0.113.7',
      'user-agent': 'UA',
    });
    expect(last.headers?.cookie).toBeUndefined();
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 0-3/10');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('replaces a forwarded address the browser made up with the one it connected from, and presents the proxy secret', async () => {
    const request = new Request('http://127.0.0.1:3000/graphql', {
      method: 'POST',
      body: '{}',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': '10.9.9.9',
        'x-yuejuan-proxy': 'forged',
      },
    });
    await proxyToGateway(request, '203.0.113.8', origin, { proxySecret: 'p'.repeat(32) });
    expect(last.headers).toMatchObject({
      'x-forwarded-for': '203.0.113.8',
      'x-yuejuan-proxy': 'p'.repeat(32),
    });
    await proxyToGateway(
      new Request('http://127.0.0.1:3000/graphql', {
        method: 'POST',
        body: '{}',
        headers: { 'x-yuejuan-proxy': 'forged' },
      }),
      '203.0.113.8',
      origin,
    );
    expect(last.headers?.['x-yuejuan-proxy']).toBeUndefined();
  });

  it('answers 502 in Chinese when the gateway is down', async () => {
    const res = await proxyToGateway(
      new Request('http://127.0.0.1:3000/graphql', { method: 'POST', body: '{}' }),
      '127.0.0.1',
      'http://127.0.0.1:1',
    );
    expect(res.status).toBe(502);
    expect((await res.json()).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('forwards only the gateway’s paths', () => {
    expect(['/graphql', '/uploads/volumes', '/downloads/abc'].every(isGatewayPath)).toBe(true);
    expect(['/', '/graphql2', '/login', '/uploads'].some(isGatewayPath)).toBe(false);
  });

  it('derives the browser’s WebSocket URL from GATEWAY_URL', () => {
    expect(gatewayWsUrl({ GATEWAY_URL: 'http://127.0.0.1:4100' })).toBe(
      'ws://127.0.0.1:4100/graphql',
    );
    expect(
      gatewayWsUrl({
        GATEWAY_URL: 'https://api.example.cn',
        GATEWAY_WS_URL: 'wss://ws.example.cn/graphql',
      }),
    ).toBe('wss://ws.example.cn/graphql');
    expect(gatewayOrigin({})).toBe('http://127.0.0.1:4000');
  });
});
