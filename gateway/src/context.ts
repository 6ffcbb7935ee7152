import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { GraphQLError } from 'graphql';
import { mintInternalToken, internalTokenHeader, type Identity } from '@yuejuan/runtime';
import { postJson } from './http-client.ts';

/** Who is at the other end of the connection, forwarded to subgraphs as x-client-* headers. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

export interface GatewayContext {
  identity: Identity;
  requestId: string;
  client?: ClientInfo;
}

const unauthenticated = () =>
  new GraphQLError('登录已失效，请重新登录。', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

/**
 * Authenticates the caller: a bearer token is turned into an identity by the identity
 * subgraph on every request (so logout and revocation take effect at once). No token means
 * anonymous; a token that is unknown, expired or revoked is refused with 401.
 */
export function createContextFactory(options: { identityBaseUrl: string; secret: string; timeoutMs: number }) {
  const resolveUrl = new URL('/internal/sessions/resolve', options.identityBaseUrl);
  return async (authorization: string | undefined, clientRequestId?: string, client?: ClientInfo): Promise<GatewayContext> => {
    // A caller's request id is kept for tracing only when it is short and plain (no log injection).
    const requestId = clientRequestId && /^[A-Za-z0-9-]{8,64}$/.test(clientRequestId) ? clientRequestId : randomUUID();
    if (!authorization) return { identity: { role: 'ANONYMOUS' }, requestId, client };
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(authorization);
    if (!match) throw unauthenticated();
    const headers = async () => ({ [internalTokenHeader]: await mintInternalToken(options.secret, 'identity', { role: 'ANONYMOUS' }) });
    const res = await postJson(resolveUrl, JSON.stringify({ token: match[1] }), headers, { timeoutMs: options.timeoutMs, repeatable: true }).catch(() => null);
    if (res?.status !== 200 || !res.body || typeof res.body !== 'object') {
      throw new GraphQLError('身份服务暂不可用，请稍后再试。', { extensions: { code: 'SERVICE_UNAVAILABLE', serviceName: 'identity', http: { status: 503 } } });
    }
    const { identity } = res.body as { identity: Identity | null };
    if (!identity) throw unauthenticated();
    return { identity, requestId, client };
  };
}

/**
 * The client's address: the socket's peer, or with `trustProxy` (one reverse proxy in front)
 * the address that proxy appended last to X-Forwarded-For, the only entry a client cannot
 * forge. IPv4-mapped IPv6 addresses are shown as IPv4.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trustProxy: boolean): string | undefined {
  const hops = trustProxy && forwardedFor ? forwardedFor.split(',').map((h) => h.trim()).filter(Boolean) : [];
  const candidate = hops.at(-1) ?? socketAddress;
  if (!candidate || isIP(candidate) === 0) return socketAddress && isIP(socketAddress) ? unmap(socketAddress) : undefined;
  return unmap(candidate);
}

const unmap = (address: string) => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
