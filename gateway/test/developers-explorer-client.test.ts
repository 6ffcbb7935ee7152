// The explorer's OAuth sign-in needs a client that keeps no secret: a law-firm application
// whose only redirect URI is the gateway's /explorer/callback is a public client (PKCE only),
// and every other application still has to authenticate with its secret. Through the real
// gateway and identity's oidc-provider, the browser's part done by hand (oauth-fixtures.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lawyerToken, seedPeople } from './fixtures.ts';
import { createTestClock, gql, ok } from './identity-fixtures.ts';
import {
  adminToken,
  CookieJar,
  decideConsent,
  errorCodes,
  finishAuthorization,
  pkce,
  registerApp,
  startAuthorization,
  startOAuthStack,
} from './oauth-fixtures.ts';
import type { Stack } from './stack.ts';

const clock = createTestClock();
let stack: Stack;
let origin: string;
let lawyer: string;
let admin: string;
const profile = '{ viewer { lawyer { name } } }';

/**
 * A token endpoint request authenticated by client_id alone (a public client), from a page of
 * `from` (a browser sends its Origin; by default the gateway's own, as the explorer's).
 */
async function publicToken(clientId: string, params: Record<string, string>, from = origin) {
  const res = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: from },
    body: new URLSearchParams({ client_id: clientId, ...params }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

beforeAll(async () => {
  ({ stack, origin } = await startOAuthStack('dev_explorer', clock));
  const people = await seedPeople(stack);
  lawyer = await lawyerToken(stack, people.zhangSanId);
  admin = await adminToken(stack);
});
afterAll(async () => {
  await stack?.stop();
});

describe("the explorer's application (a public client)", () => {
  it('signs in with PKCE and no secret, refreshes, and its revocation ends the grant', async () => {
    const redirectUri = `${origin}/explorer/callback`;
    const app = await registerApp(stack, admin, {
      name: '接口调试',
      kind: 'LAW_FIRM',
      redirectUris: [redirectUri],
      scopes: ['profile:read'],
    });
    const jar = new CookieJar();
    const uid = await startAuthorization(origin, jar, {
      clientId: app.clientId,
      redirectUri,
      scope: 'profile:read',
      challenge: pkce().challenge,
    });
    const decided = ok(await gql(stack, decideConsent, { uid, approve: true }, { token: lawyer }));
    const back = await finishAuthorization(jar, decided.data.decideOAuthConsent.redirectTo);
    expect(back.origin + back.pathname).toBe(redirectUri);
    // The code is only good with the verifier of the browser that asked (not another one).
    const wrong = await publicToken(app.clientId, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: redirectUri,
      code_verifier: pkce().verifier,
    });
    expect(wrong.body.error).toBe('invalid_grant');

    // A fresh authorization (the failed redemption spent that code).
    const second = pkce();
    const uid2 = await startAuthorization(origin, jar, {
      clientId: app.clientId,
      redirectUri,
      scope: 'profile:read',
      challenge: second.challenge,
    });
    const decided2 = ok(
      await gql(stack, decideConsent, { uid: uid2, approve: true }, { token: lawyer }),
    );
    const back2 = await finishAuthorization(jar, decided2.data.decideOAuthConsent.redirectTo);
    const tokens = await publicToken(app.clientId, {
      grant_type: 'authorization_code',
      code: back2.searchParams.get('code')!,
      redirect_uri: redirectUri,
      code_verifier: second.verifier,
    });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(tokens.body.scope).toBe('profile:read');
    expect(
      ok(await gql(stack, profile, {}, { token: tokens.body.access_token })).data.viewer.lawyer
        .name,
    ).toBe('张三');

    const refreshed = await publicToken(app.clientId, {
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token!,
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(tokens.body.refresh_token);
    // A page of another origin may not use the token endpoint from a browser.
    const foreign = await publicToken(
      app.clientId,
      { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token! },
      'https://elsewhere.example',
    );
    expect(foreign.body.error).toBe('invalid_request');

    const revoked = await fetch(`${origin}/oauth/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({
        client_id: app.clientId,
        token: refreshed.body.refresh_token!,
        token_type_hint: 'refresh_token',
      }).toString(),
    });
    expect(revoked.status).toBe(200);
    const after = await gql(stack, profile, {}, { token: refreshed.body.access_token });
    expect(after.status).toBe(401);
    expect(errorCodes(after)).toEqual(['INVALID_TOKEN']);
  });

  it('any other law-firm application still needs its secret, even with the explorer among its URIs', async () => {
    const explorerOnly = await registerApp(stack, admin, {
      name: '接口调试二',
      kind: 'LAW_FIRM',
      redirectUris: [`${origin}/explorer/callback`],
      scopes: ['profile:read'],
    });
    const mixed = await registerApp(stack, admin, {
      name: '明理律所案件管理系统',
      kind: 'LAW_FIRM',
      redirectUris: [`${origin}/explorer/callback`, 'http://127.0.0.1:3398/callback'],
      scopes: ['profile:read'],
    });
    // The client is authenticated before the grant is looked at: a public client gets as far
    // as the (unknown) refresh token, a confidential one is refused without its secret.
    const grant = { grant_type: 'refresh_token', refresh_token: 'not-a-token' };
    expect((await publicToken(explorerOnly.clientId, grant)).body.error).toBe('invalid_grant');
    const refused = await publicToken(mixed.clientId, grant);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_client');
  });
});
