// The identity forwarding the peer gateways (stock Apollo, Hive) need so that the subgraphs
// accept their requests and answer with the same data as for our gateway: the caller's bearer
// token becomes an identity (one POST to identity's internal route per client request, as our
// gateway does), and every subgraph request carries a token minted for that subgraph.
// The peers must not load our runtime (mongoose, Apollo Server): they get only the two
// dependency-free modules our gateway uses for the same work, so that the comparison measures
// the gateways and not the glue: the HS256 signer and the keep-alive JSON POST.
import { randomUUID } from 'node:crypto';
import { postJson } from '@yuejuan/gateway/http-client';
import { signHs256 } from '@yuejuan/platform/jwt';

/** What the subgraphs expect (see subgraphs/runtime/src/auth.ts: header, issuer, claims). */
export const internalTokenHeader = 'x-internal-token';
const issuer = 'yuejuan-gateway';

export type ForwardedIdentity = { role: string } & Record<string, unknown>;
const anonymous: ForwardedIdentity = { role: 'ANONYMOUS' };

/** Mints the HS256 token one subgraph verifies: audience = subgraph, 30 s, unique id. */
export async function mintToken(
  secret: string,
  audience: string,
  identity: ForwardedIdentity,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signHs256(secret, {
    idn: identity,
    iss: issuer,
    aud: audience,
    iat: now,
    exp: now + 30,
    jti: randomUUID(),
  });
}

/** Turns `Authorization: Bearer …` into an identity through identity's internal route. */
export function createSessionResolver(identityGraphqlUrl: string, secret: string) {
  const url = new URL('/internal/sessions/resolve', identityGraphqlUrl);
  return async (authorization: string | null | undefined): Promise<ForwardedIdentity> => {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token) return anonymous;
    const headers = {
      [internalTokenHeader]: await mintToken(secret, 'identity', {
        role: 'SERVICE',
        service: 'gateway',
      }),
    };
    const res = await postJson(url, JSON.stringify({ token }), headers, {
      timeoutMs: 10_000,
      repeatable: true,
    });
    if (res.status !== 200) return anonymous;
    return (res.body as { identity: ForwardedIdentity | null }).identity ?? anonymous;
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
