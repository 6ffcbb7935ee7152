// The identity forwarding the peer gateways (stock Apollo, Hive) need so that the subgraphs
// accept their requests and answer with the same data as for our gateway: the caller's bearer
// token becomes an identity (one POST to identity's internal route per client request, as our
// gateway does), and every subgraph request carries a token minted for that subgraph.
// Deliberately plain (jose only): the peers must not load our runtime.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** What the subgraphs expect (see subgraphs/runtime/src/auth.ts: header, issuer, claims). */
export const internalTokenHeader = 'x-internal-token';
const issuer = 'yuejuan-gateway';

export type ForwardedIdentity = { role: string } & Record<string, unknown>;
const anonymous: ForwardedIdentity = { role: 'ANONYMOUS' };

/** Mints the HS256 token one subgraph verifies: audience = subgraph, 30 s, unique id. */
export function mintToken(secret: string, audience: string, identity: ForwardedIdentity): Promise<string> {
  return new SignJWT({ idn: identity })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('30s')
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(secret));
}

/** Turns `Authorization: Bearer …` into an identity through identity's internal route. */
export function createSessionResolver(identityGraphqlUrl: string, secret: string) {
  const url = new URL('/internal/sessions/resolve', identityGraphqlUrl).toString();
  return async (authorization: string | null | undefined): Promise<ForwardedIdentity> => {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token) return anonymous;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [internalTokenHeader]: await mintToken(secret, 'identity', { role: 'SERVICE', service: 'gateway' }) },
      body: JSON.stringify({ token }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return anonymous;
    const { identity } = (await res.json()) as { identity: ForwardedIdentity | null };
    return identity ?? anonymous;
  };
}

/** The subgraph URLs a gateway uses, from the environment the harness sets. */
export function subgraphUrlsFromEnv(env = process.env): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const name of ['identity', 'cases', 'reading', 'notifications']) {
    const url = env[`${name.toUpperCase()}_URL`];
    if (!url) throw new Error(`${name.toUpperCase()}_URL is not set`);
    urls[name] = url;
  }
  return urls;
}
