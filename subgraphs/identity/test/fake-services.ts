// Local stand-ins of the services identity calls over HTTP, speaking their contracts: the
// identity-verification (face) service and notifications' POST /internal/sms.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyInternalToken } from '@yuejuan/runtime';
import { faceSignature } from '../src/services/face-provider.ts';

async function listen(
  handler: (req: http.IncomingMessage, body: string) => Promise<{ status: number; body: unknown }>,
) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      void handler(req, body).then(({ status, body: answer }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * The face service: checks the app id, the timestamp and the HMAC signature, then answers PASS,
 * or FAIL with a reason when the photo's bytes start with `FAIL:<reason>`. `mode: 'down'` answers 500.
 */
export async function startFakeFaceService(appId: string, secret: string) {
  const requests: { name: string; idNumber: string; requestId: string; image: string }[] = [];
  const state = { mode: 'up' as 'up' | 'down' };
  const server = await listen(async (req, raw) => {
    if (state.mode === 'down') return { status: 500, body: { code: 'INTERNAL' } };
    const h = (name: string) => String(req.headers[name] ?? '');
    const fresh = Math.abs(Date.now() / 1000 - Number(h('x-timestamp'))) < 300;
    if (
      req.method !== 'POST' ||
      h('x-app-id') !== appId ||
      !fresh ||
      h('x-signature') !== faceSignature(secret, appId, h('x-timestamp'), h('x-nonce'), raw)
    ) {
      return { status: 401, body: { code: 'AUTH_FAILED', message: 'bad signature' } };
    }
    const body = JSON.parse(raw) as (typeof requests)[number];
    requests.push(body);
    const photo = Buffer.from(body.image, 'base64').toString('latin1');
    if (photo.startsWith('FAIL:'))
      return {
        status: 200,
        body: { code: '0', result: 'FAIL', reason: photo.slice(5, photo.indexOf(';')), score: 12 },
      };
    return { status: 200, body: { code: '0', result: 'PASS', score: 97 } };
  });
  return { ...server, requests, state };
}

/**
 * notifications' `POST /internal/sms`: a SERVICE token for audience `notifications` from
 * identity, then 202 {messageId}; `mode` makes it answer 429, 400 or 500 instead.
 */
export async function startFakeNotifications(secret: () => string) {
  const received: {
    to: { phone: string };
    kind: string;
    variables: Record<string, string>;
    dedupeKey: string;
  }[] = [];
  const state = { mode: 'ok' as 'ok' | 'rate-limited' | 'bad-number' | 'down' };
  const server = await listen(async (req, raw) => {
    if (req.url !== '/internal/sms' || req.method !== 'POST') return { status: 404, body: {} };
    try {
      const caller = await verifyInternalToken(
        secret(),
        'notifications',
        String(req.headers['x-internal-token'] ?? ''),
      );
      if (caller.role !== 'SERVICE' || caller.service !== 'identity')
        return { status: 403, body: { code: 'FORBIDDEN' } };
    } catch {
      return { status: 401, body: { code: 'UNAUTHENTICATED' } };
    }
    if (state.mode === 'rate-limited')
      return {
        status: 429,
        body: { code: 'RATE_LIMITED', message: '短信发送过于频繁。', retryAfterSeconds: 42 },
      };
    if (state.mode === 'bad-number')
      return { status: 400, body: { code: 'BAD_USER_INPUT', message: '该号码无法接收短信。' } };
    if (state.mode === 'down') return { status: 500, body: {} };
    received.push(JSON.parse(raw));
    return { status: 202, body: { messageId: `m${received.length}` } };
  });
  return { ...server, received, state };
}
