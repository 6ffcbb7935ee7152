import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { GraphQLError } from 'graphql';
import {
  injectTraceHeaders,
  mintInternalToken,
  internalTokenHeader,
  type Identity,
} from '@yuejuan/platform';
import { postJson } from './http-client.ts';
import { createAccessTokenResolver, looksLikeJwt, type AppPolicy } from './oauth.ts';

/** Who is at the other end of the connection, forwarded to subgraphs as x-client-* headers. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

export interface GatewayContext {
  identity: Identity;
  requestId: string;
  client?: ClientInfo;
  /** An integrator's application (OAuth access token): its limit and allowlist (app-limits.ts). */
  app?: AppPolicy;
}

const unauthenticated = () =>
  new GraphQLError('登录已失效，请重新登录。', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });

/**
 * Authenticates the caller: a bearer token is turned into an identity by the identity
 * subgraph on every request (so logout and revocation take effect at once). No token means
 * anonymous; a token that is unknown, expired or revoked is refused with 401. An integrator's
 * OAuth access token (a JWT) is verified here and its grant checked with identity (oauth.ts).
 */
export function createContextFactory(options: {
  identityBaseUrl: string;
  secret: string;
  timeoutMs: number;
}) {
  const resolveUrl = new URL('/internal/sessions/resolve', options.identityBaseUrl);
  const accessToken = createAccessTokenResolver({
    identityBaseUrl: options.identityBaseUrl,
    secret: options.secret,
    timeoutMs: options.timeoutMs,
  });
  return async (
    authorization: string | undefined,
    clientRequestId?: string,
    client?: ClientInfo,
  ): Promise<GatewayContext> => {
    // A caller's request id is kept for tracing only when it is short and plain (no log injection).
    const requestId =
      clientRequestId && /^[A-Za-z0-9-]{8,64}$/.test(clientRequestId)
        ? clientRequestId
        : randomUUID();
    if (!authorization) return { identity: { role: 'ANONYMOUS' }, requestId, client };
    const bearer = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
    if (looksLikeJwt(bearer)) return { ...(await accessToken(bearer)), requestId, client };
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(authorization);
    if (!match) throw unauthenticated();
    const traced = injectTraceHeaders<Record<string, string>>({});
    const headers = async () => ({
      ...traced,
      [internalTokenHeader]: await mintInternalToken(options.secret, 'identity', {
        role: 'ANONYMOUS',
      }),
    });
    const res = await postJson(resolveUrl, JSON.stringify({ token: match[1] }), headers, {
      timeoutMs: options.timeoutMs,
      repeatable: true,
    }).catch(() => null);
    if (res?.status !== 200 || !res.body || typeof res.body !== 'object') {
      throw new GraphQLError('身份服务暂不可用，请稍后再试。', {
        extensions: { code: 'SERVICE_UNAVAILABLE', serviceName: 'identity', http: { status: 503 } },
      });
    }
    const { identity } = res.body as { identity: Identity | null };
    if (!identity) throw unauthenticated();
    return { identity, requestId, client };
  };
}

/** Which peers may tell the gateway who the client is (YUEJUAN_TRUSTED_PROXIES, YUEJUAN_PROXY_SECRET). */
export interface ProxyTrust {
  proxies: ReadonlySet<string>;
  secret?: string;
}

export const proxyTrust = (list: string, secret?: string): ProxyTrust => ({
  proxies: new Set(
    list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(unmapAddress),
  ),
  secret,
});

/** Header in which the clients' servers present the proxy secret. */
export const proxySecretHeader = 'x-yuejuan-proxy';

const sameSecret = (given: string | undefined, wanted: string) => {
  const a = createHash('sha256')
    .update(given ?? '')
    .digest();
  const b = createHash('sha256').update(wanted).digest();
  return given !== undefined && timingSafeEqual(a, b);
};

/**
 * The client's address. The socket's peer, unless that peer is a trusted proxy (its address
 * is listed and, when a proxy secret is configured, it presented the secret): then
 * X-Forwarded-For is read from the right, past trusted proxies, to the first address a trusted
 * proxy saw, the only entry the client could not forge. IPv4-mapped IPv6 shows as IPv4.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trust: ProxyTrust,
  presentedSecret?: string,
): string | undefined {
  const peer = socketAddress && isIP(socketAddress) ? unmapAddress(socketAddress) : undefined;
  const trusted = (address: string) => trust.proxies.has(address);
  if (!peer || !forwardedFor || !trusted(peer)) return peer;
  if (trust.secret !== undefined && !sameSecret(presentedSecret, trust.secret)) return peer;
  const hops = forwardedFor
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return peer; // a proxy we trust wrote garbage: keep what we know
    const address = unmapAddress(hop);
    if (!trusted(address) || i === 0) return address;
  }
  return peer;
}

const unmapAddress = (address: string) => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
