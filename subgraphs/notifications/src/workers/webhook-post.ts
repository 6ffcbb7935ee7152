import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isPrivateAddress } from '../webhooks/url-guard.ts';

/** What a receiver answered, or why there is no answer. */
export interface PostResult {
  httpStatus: number | null;
  error: string | null;
  latencyMs: number;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * POSTs one webhook request. Redirects are not followed (a 3xx is a failure, as the spec
 * recommends); the answer's body is read to at most 4 KiB and dropped; the whole exchange is cut
 * off after `timeoutMs`. Unless `allowPrivate`, the address connected to is checked (a name
 * resolving to a private or loopback address, or such an address written as the host, fails).
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; allowPrivate: boolean },
): Promise<PostResult> {
  const started = performance.now();
  const done = (httpStatus: number | null, error: string | null): PostResult => ({
    httpStatus,
    error,
    latencyMs: Math.round(performance.now() - started),
  });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve(done(null, '地址无效'));
      return;
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivate && isIP(host) && isPrivateAddress(host)) {
      resolve(done(null, `拒绝连接内网或本机地址 ${host}`));
      return;
    }
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(
      target,
      {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Yuejuan-Webhooks/1',
          ...headers,
        },
        ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 4096) res.destroy();
        });
        const status = res.statusCode ?? 0;
        res.on('end', () => resolve(done(status, null)));
        res.on('close', () => resolve(done(status, null)));
        res.on('error', () => resolve(done(status, null)));
      },
    );
    req.on('error', (err: Error & { code?: string }) => {
      const message =
        err.name === 'AbortError' || err.name === 'TimeoutError'
          ? `超时（${options.timeoutMs} ms 内无应答）`
          : `${err.code ?? err.name}: ${err.message}`;
      resolve(done(null, message.slice(0, 300)));
    });
    req.end(body);
  });
}
