import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { internalTokenHeader, mintInternalToken, type Identity } from '@yuejuan/runtime';
import { adminIdentity } from '@yuejuan/runtime/testing';
import { startStack, type Stack } from './stack.ts';
import { post } from './http.ts';

const admin: Identity = adminIdentity();
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token signed with `secret` and exactly these claims (for the claims the gateway never mints). */
const signed = (secret: string, claims: Record<string, unknown>) =>
  new SignJWT({ idn: admin, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));

const operations = {
  _service: { query: '{ _service { sdl } }' },
  _entities: {
    query: 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
    variables: { r: [{ __typename: 'Lawyer', id: 'L-1' }] },
  },
};

describe('subgraphs refuse requests the gateway did not sign (over real HTTP)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('tokens');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** Every forgery, for one subgraph; each returns the header value to send (undefined: none). */
  const forgeries = (audience: string) => {
    const secret = stack.secrets.internal;
    const claims = { iss: 'yuejuan-gateway', aud: audience, jti: randomUUID() };
    return {
      'no token': async () => undefined,
      'an empty token': async () => '',
      "another subgraph's audience": async () =>
        mintInternalToken(secret, audience === 'identity' ? 'cases' : 'identity', admin),
      'an expired token': async () =>
        signed(secret, { ...claims, iat: now() - 120, exp: now() - 60 }),
      'a token issued too long ago': async () =>
        signed(secret, { ...claims, iat: now() - 600, exp: now() + 60 }),
      'alg: none': async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ idn: admin, ...claims, iat: now(), exp: now() + 30 })}.`,
      'another key': async () => mintInternalToken('k'.repeat(64), audience, admin),
      'another issuer': async () =>
        signed(secret, { ...claims, iss: 'someone-else', iat: now(), exp: now() + 30 }),
      'a tampered identity': async () => {
        const [header, , signature] = (
          await mintInternalToken(secret, audience, { role: 'ANONYMOUS' })
        ).split('.');
        return `${header}.${b64({ idn: admin, ...claims, iat: now(), exp: now() + 30 })}.${signature}`;
      },
    };
  };

  for (const subgraph of ['identity', 'cases', 'reading', 'notifications'] as const) {
    describe(subgraph, () => {
      it('answers _service and _entities with a token the gateway minted for it (the check can pass)', async () => {
        const token = await mintInternalToken(stack.secrets.internal, subgraph, admin);
        const service = await post(stack.urls[subgraph], operations._service, {
          [internalTokenHeader]: token,
        });
        expect(service.status).toBe(200);
        expect(service.json?.data?._service?.sdl).toContain('type Query');
        const entities = await post(stack.urls[subgraph], operations._entities, {
          [internalTokenHeader]: await mintInternalToken(stack.secrets.internal, subgraph, admin),
        });
        expect(entities.status).toBe(200);
      });

      it('refuses _service and _entities without a valid token: missing, wrong audience, expired, alg none, forged', async () => {
        for (const [name, forge] of Object.entries(forgeries(subgraph))) {
          for (const [operation, body] of Object.entries(operations)) {
            const token = await forge();
            const answer = await post(
              stack.urls[subgraph],
              body,
              token === undefined ? {} : { [internalTokenHeader]: token },
            );
            expect(answer.status, `${name}: ${operation}`).toBe(401);
            expect(answer.json?.errors?.[0]?.extensions?.code, `${name}: ${operation}`).toBe(
              'UNAUTHENTICATED',
            );
            expect(answer.json?.data ?? undefined, `${name}: ${operation}`).toBeUndefined();
            expect(answer.text, `${name}: ${operation}`).not.toContain('type Query');
          }
        }
      });
    });
  }
});
