import http from 'node:http';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Express, Request, RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import {
  apiResource,
  internalTokenHeader,
  mintInternalToken,
  type Identity,
} from '@yuejuan/platform';
import { postJson } from './http-client.ts';
import { sendError } from './http-guards.ts';

// OAuth access tokens of integrators' applications are JWTs signed by the identity subgraph's
// oidc-provider (RS256, `typ: at+jwt`, RFC 9068). The gateway checks them itself with the
// published keys (fetched once, again only for an unknown key id) and node:crypto, which
// verifies an RS256 signature in tens of microseconds without a thread-pool hop; then it asks
// identity, as it does for a session, whether the grant and the application still live (two
// reads by `_id`): a revoked grant or a suspended application is refused on the next request.

const invalidToken = (message = '访问令牌无效或已过期，请重新获取。') =>
  new GraphQLError(message, { extensions: { code: 'INVALID_TOKEN', http: { status: 401 } } });
const unavailable = () =>
  new GraphQLError('身份服务暂不可用，请稍后再试。', {
    extensions: { code: 'SERVICE_UNAVAILABLE', serviceName: 'identity', http: { status: 503 } },
  });

/** A compact JWS: three base64url parts (a session token has no dots). */
export const looksLikeJwt = (token: string): boolean =>
  token.length <= 4096 && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);

/** The claims of one of our access tokens the gateway relies on. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  client_id: string;
  scope?: string;
  gid?: string;
  exp: number;
  iat: number;
}

const decode = (part: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Checks a compact JWS as one of our access tokens, with `keyFor(kid)`: header RS256 and
 * `at+jwt` (so an ID token, `alg: none` or an HMAC forgery with the public key fail), the
 * signature, issuer, audience (the API's resource indicator: a token for any other audience is
 * refused), expiry and issue time (5 s of clock skew). Throws INVALID_TOKEN.
 */
export function verifyAccessToken(
  token: string,
  expected: { issuer: string; keyFor: (kid: string) => KeyObject | undefined; nowSeconds?: number },
): AccessTokenClaims {
  const [head, body, signature] = token.split('.') as [string, string, string];
  const header = decode(head);
  const typ = typeof header?.typ === 'string' ? header.typ.toLowerCase() : '';
  if (
    header?.alg !== 'RS256' ||
    (typ !== 'at+jwt' && typ !== 'application/at+jwt') ||
    header.crit !== undefined ||
    typeof header.kid !== 'string'
  )
    throw invalidToken();
  const key = expected.keyFor(header.kid);
  if (!key) throw invalidToken();
  if (
    !verify('RSA-SHA256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url'))
  )
    throw invalidToken();
  const claims = decode(body);
  if (!claims || claims.iss !== expected.issuer) throw invalidToken();
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(apiResource)) throw invalidToken();
  const now = expected.nowSeconds ?? Math.floor(Date.now() / 1000);
  const skew = 5;
  if (typeof claims.exp !== 'number' || claims.exp + skew <= now) throw invalidToken();
  if (typeof claims.iat !== 'number' || claims.iat > now + skew) throw invalidToken();
  if (typeof claims.sub !== 'string' || typeof claims.client_id !== 'string') throw invalidToken();
  if (claims.scope !== undefined && typeof claims.scope !== 'string') throw invalidToken();
  if (claims.gid !== undefined && typeof claims.gid !== 'string') throw invalidToken();
  return claims as unknown as AccessTokenClaims;
}

/**
 * What the gateway enforces for an application (app-limits.ts, app-operations.ts), from the
 * per-request token check: its rate limit, whether only its registered operations run (null:
 * the deployment's default) and the revision of those operations.
 */
export interface AppPolicy {
  clientId: string;
  rateLimitPerMinute: number;
  operationsOnly: boolean | null;
  operationsRevision: string;
}

/** The issuer and signing keys, as identity's provider publishes them. */
interface Published {
  issuer: string;
  keys: Map<string, KeyObject>;
  fetchedAt: number;
}

/**
 * Turns integrators' access tokens into identities: the token checked locally, then its grant
 * and application checked with identity on every request (as sessions are). A law-firm
 * application becomes the lawyer who granted it, with `app` set (never identity-verified, no
 * step-ups); a procuratorate system becomes a SYSTEM of its procuratorate. The scopes carried
 * are the token's, within what identity says the grant and application allow now.
 */
export function createAccessTokenResolver(options: {
  identityBaseUrl: string;
  secret: string;
  timeoutMs: number;
  /** Shortest time between two key fetches for an unknown key id. */
  refetchMs?: number;
}) {
  const base = new URL(options.identityBaseUrl);
  const checkUrl = new URL('/internal/oauth/check', base);
  const refetchMs = options.refetchMs ?? 30_000;
  let published: Published | undefined;
  let pending: Promise<Published> | undefined;

  const getJson = (path: string) =>
    new Promise<unknown>((resolve, reject) => {
      const req = http.get(new URL(path, base), { timeout: options.timeoutMs }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
            resolve(JSON.parse(text));
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });

  async function fetchPublished(): Promise<Published> {
    const discovery = (await getJson('/oauth/.well-known/openid-configuration')) as {
      issuer?: string;
    };
    const jwks = (await getJson('/oauth/jwks')) as {
      keys?: (Record<string, unknown> & { kid?: string })[];
    };
    if (typeof discovery.issuer !== 'string' || !Array.isArray(jwks.keys))
      throw new Error('unexpected discovery or JWKS');
    const keys = new Map<string, KeyObject>();
    for (const jwk of jwks.keys)
      if (typeof jwk.kid === 'string' && jwk.kty === 'RSA')
        keys.set(jwk.kid, createPublicKey({ key: jwk as never, format: 'jwk' }));
    return { issuer: discovery.issuer, keys, fetchedAt: Date.now() };
  }

  /** The published keys: fetched once; again when a token names an unknown key, at most every refetchMs. */
  async function keysFor(kid: string | undefined): Promise<Published> {
    const stale =
      !published ||
      (kid !== undefined &&
        !published.keys.has(kid) &&
        Date.now() - published.fetchedAt > refetchMs);
    if (!stale) return published!;
    pending ??= fetchPublished().finally(() => (pending = undefined));
    try {
      published = await pending;
    } catch {
      if (!published) throw unavailable();
    }
    return published;
  }

  return async (token: string): Promise<{ identity: Identity; app: AppPolicy }> => {
    const kid = decode(token.split('.')[0]!)?.kid;
    const current = await keysFor(typeof kid === 'string' ? kid : undefined);
    const claims = verifyAccessToken(token, {
      issuer: current.issuer,
      keyFor: (k) => current.keys.get(k),
    });
    const headers = async () => ({
      [internalTokenHeader]: await mintInternalToken(options.secret, 'identity', {
        role: 'ANONYMOUS',
      }),
    });
    const res = await postJson(
      checkUrl,
      JSON.stringify({ clientId: claims.client_id, sub: claims.sub, grantId: claims.gid }),
      headers,
      { timeoutMs: options.timeoutMs, repeatable: true },
    ).catch(() => null);
    if (res?.status !== 200 || !res.body || typeof res.body !== 'object') throw unavailable();
    const status = res.body as {
      active: boolean;
      scopes?: string[];
      procuratorateId?: string;
    } & Partial<Omit<AppPolicy, 'clientId'>>;
    if (!status.active) throw invalidToken('授权已撤销或应用已停用，访问令牌已失效。');
    const held = (claims.scope ?? '').split(' ').filter((s) => status.scopes?.includes(s));
    const app = { clientId: claims.client_id, scopes: held };
    // The same answer carries the application's limit and allowlist revision (no extra trip).
    const policy: AppPolicy = {
      clientId: claims.client_id,
      rateLimitPerMinute: status.rateLimitPerMinute ?? 600,
      operationsOnly: status.operationsOnly ?? null,
      operationsRevision: status.operationsRevision ?? '',
    };
    if (status.procuratorateId)
      return {
        identity: { role: 'SYSTEM', procuratorateId: status.procuratorateId, app },
        app: policy,
      };
    if (!claims.gid) throw invalidToken();
    return {
      identity: {
        role: 'LAWYER',
        sessionId: `oauth:${claims.gid}`,
        lawyerId: claims.sub,
        verified: false,
        app: { ...app, grantId: claims.gid },
      },
      app: policy,
    };
  };
}

/**
 * Which file routes an application may use, by the scopes it must hold: only volume intake.
 * Every other file route refuses application tokens (INSUFFICIENT_SCOPE).
 */
export const fileRouteScopes: Record<string, string[][]> = {
  '/uploads/volumes': [['volumes:write']],
};

/** Headers that belong to one connection and are never forwarded (RFC 9110 §7.6.1). */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  internalTokenHeader,
]);

/**
 * `/oauth/*` (authorization, token, JWKS, discovery, the consent round trip) is served by the
 * identity subgraph: forwarded as it came, streaming, with the client's address (as the gateway
 * determined it) in X-Forwarded-For. oidc-provider authenticates the clients itself, and the
 * browser's interaction cookies pass through with its redirects.
 */
export function mountOAuthForwarding(
  app: Express,
  options: {
    identityBaseUrl: string;
    clientIp: (req: Request) => string | undefined;
    timeoutMs: number;
  },
): void {
  const origin = new URL(options.identityBaseUrl).origin;
  const handler: RequestHandler = (req, res) => {
    const target = new URL(req.originalUrl, origin);
    if (target.origin !== origin || !target.pathname.startsWith('/oauth')) {
      sendError(res, 400, 'BAD_REQUEST', '请求地址无效。');
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers))
      if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
    const ip = options.clientIp(req);
    if (ip) headers['x-forwarded-for'] = ip;
    const upstream = http.request(target, { method: req.method, headers });
    const timer = setTimeout(() => upstream.destroy(new Error('timeout')), options.timeoutMs);
    upstream.on('response', (answer) => {
      clearTimeout(timer);
      res.status(answer.statusCode ?? 502);
      for (const [name, value] of Object.entries(answer.headers))
        if (!hopByHop.has(name) && value !== undefined) res.setHeader(name, value);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      clearTimeout(timer);
      if (!res.headersSent)
        sendError(res, 502, 'SUBGRAPH_UNAVAILABLE', '服务暂不可用，请稍后再试。');
      else res.destroy();
    });
    req.pipe(upstream);
  };
  app.all('/oauth', handler);
  app.all('/oauth/*path', handler);
}
