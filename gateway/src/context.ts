import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { mintInternalToken, internalTokenHeader, type Identity } from '@yuejuan/runtime';

export interface GatewayContext {
  identity: Identity;
  requestId: string;
}

const unauthenticated = () =>
  new GraphQLError('登录已失效，请重新登录。', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

/**
 * Authenticates the caller: a bearer token is turned into an identity by the identity
 * subgraph on every request (so logout and revocation take effect at once). No token means
 * anonymous; a token that is unknown, expired or revoked is refused with 401.
 */
export function createContextFactory(options: { identityBaseUrl: string; secret: string; timeoutMs: number }) {
  const resolveUrl = new URL('/internal/sessions/resolve', options.identityBaseUrl).toString();
  return async (authorization: string | undefined, clientRequestId?: string): Promise<GatewayContext> => {
    // A caller's request id is kept for tracing only when it is short and plain (no log injection).
    const requestId = clientRequestId && /^[A-Za-z0-9-]{8,64}$/.test(clientRequestId) ? clientRequestId : randomUUID();
    if (!authorization) return { identity: { role: 'ANONYMOUS' }, requestId };
    const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(authorization);
    if (!match) throw unauthenticated();
    const res = await fetch(resolveUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [internalTokenHeader]: await mintInternalToken(options.secret, 'identity', { role: 'ANONYMOUS' }) },
      body: JSON.stringify({ token: match[1] }),
      signal: AbortSignal.timeout(options.timeoutMs),
    }).catch(() => null);
    if (!res?.ok) {
      throw new GraphQLError('身份服务暂不可用，请稍后再试。', { extensions: { code: 'SERVICE_UNAVAILABLE', serviceName: 'identity', http: { status: 503 } } });
    }
    const { identity } = (await res.json()) as { identity: Identity | null };
    if (!identity) throw unauthenticated();
    return { identity, requestId };
  };
}
