// A law-firm system (律所管理系统) through the real gateway, with the browser's part of the
// authorization code flow done by hand (the Chromium journey in clients/e2e does it with the
// portal's pages): the consent's binding to the browser that asked, the step-up for scopes that
// read personal or case data, scopes enforced in the subgraphs, refresh-token rotation with
// reuse detection, tokens for another audience, and revocation by the lawyer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lawyerToken, seedApplications, seedPeople } from './fixtures.ts';
import { createTestClock, gql, ok } from './identity-fixtures.ts';
import {
  adminToken,
  authorizeAsLawyer,
  CookieJar,
  decideConsent,
  errorCodes,
  finishAuthorization,
  pkce,
  registerApp,
  startAuthorization,
  startOAuthStack,
  tokenRequest,
} from './oauth-fixtures.ts';
import type { Stack } from './stack.ts';

const clock = createTestClock();
let stack: Stack;
let origin: string;
let people: Awaited<ReturnType<typeof seedPeople>>;
let lawyer: string;
let app: { clientId: string; clientSecret: string; redirectUri: string };
const redirectUri = 'http://127.0.0.1:3398/callback';

const profile = /* GraphQL */ `
  {
    viewer {
      lawyer {
        id
        name
        licenceNumber
      }
    }
  }
`;
const bound = /* GraphQL */ `
  {
    viewer {
      lawyer {
        boundCases {
          totalCount
        }
      }
    }
  }
`;

beforeAll(async () => {
  ({ stack, origin } = await startOAuthStack('oauth_law', clock));
  people = await seedPeople(stack);
  await seedApplications(stack, people.zhangSanId, 6);
  lawyer = await lawyerToken(stack, people.zhangSanId);
  const admin = await adminToken(stack);
  app = {
    ...(await registerApp(stack, admin, {
      name: '明理律所案件管理系统',
      kind: 'LAW_FIRM',
      redirectUris: [redirectUri],
      scopes: ['profile:read', 'bindings:read', 'appointments:read'],
    })),
    redirectUri,
  };
});
afterAll(async () => {
  await stack?.stop();
});

describe('a law-firm system with the authorization code flow', () => {
  it('reads what its scopes allow and is refused beyond them', async () => {
    const tokens = await authorizeAsLawyer(origin, stack, lawyer, {
      ...app,
      scope: 'openid profile:read',
    });
    // The access token's scopes (the API's); openid brings the ID token besides it.
    expect(tokens.scope).toBe('profile:read');
    expect(tokens.id_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const token = tokens.access_token;
    expect(ok(await gql(stack, profile, {}, { token })).data.viewer.lawyer).toMatchObject({
      id: people.zhangSanId,
      name: '张三',
    });
    expect(errorCodes(await gql(stack, bound, {}, { token }))).toEqual(['INSUFFICIENT_SCOPE']);
    // Never more than the lawyer: another lawyer's record stays closed.
    const other = await gql(
      stack,
      'query L($id: ID!) { lawyer(id: $id) { name } }',
      {
        id: people.liSiId,
      },
      { token },
    );
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    // Mutations and fields without a declared scope are closed to applications: outside the
    // integrators' contract, the gateway refuses them as unknown fields (contract.test.ts).
    expect(errorCodes(await gql(stack, 'mutation { logout }', {}, { token }))).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    expect(errorCodes(await gql(stack, '{ appAuthorizations { id } }', {}, { token }))).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    // The ID token is for the application (aud = client id), not for the API.
    const idToken = await gql(stack, profile, {}, { token: tokens.id_token });
    expect(idToken.status).toBe(401);
    expect(errorCodes(idToken)).toEqual(['INVALID_TOKEN']);
    // A token the provider never signed.
    const [h, b] = token.split('.');
    const forged = `${h}.${b}.${Buffer.from('x'.repeat(256)).toString('base64url')}`;
    expect(errorCodes(await gql(stack, profile, {}, { token: forged }))).toEqual(['INVALID_TOKEN']);
  });

  it('shows the bound cases with bindings:read', async () => {
    const tokens = await authorizeAsLawyer(origin, stack, lawyer, {
      ...app,
      scope: 'bindings:read',
    });
    const answer = ok(await gql(stack, bound, {}, { token: tokens.access_token }));
    expect(answer.data.viewer.lawyer.boundCases.totalCount).toBe(2);
    // Consenting again replaced the earlier grant: one authorisation per application.
    const list = ok(
      await gql(
        stack,
        '{ appAuthorizations { id applicationName scopes { name label } } }',
        {},
        { token: lawyer },
      ),
    ).data.appAuthorizations;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      applicationName: '明理律所案件管理系统',
      scopes: [{ name: 'bindings:read', label: '读取案件绑定' }],
    });
  });

  it('rotates refresh tokens, and a reused one revokes the whole family', async () => {
    const first = await authorizeAsLawyer(origin, stack, lawyer, {
      ...app,
      scope: 'profile:read',
    });
    const rotated = await tokenRequest(origin, app, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(first.refresh_token);
    ok(await gql(stack, profile, {}, { token: rotated.body.access_token }));

    const reused = await tokenRequest(origin, app, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    const next = await tokenRequest(origin, app, {
      grant_type: 'refresh_token',
      refresh_token: rotated.body.refresh_token!,
    });
    expect(next.body.error).toBe('invalid_grant');
    const afterReuse = await gql(stack, profile, {}, { token: rotated.body.access_token });
    expect(errorCodes(afterReuse)).toEqual(['INVALID_TOKEN']);
    const audit = await stack.services.identity.audit.about(app.clientId);
    expect(audit[0]).toMatchObject({
      kind: 'APP_AUTHORIZATION_REVOKED',
      actorId: people.zhangSanId,
    });
  });

  it('two concurrent uses of one refresh token: one wins, the family ends', async () => {
    const tokens = await authorizeAsLawyer(origin, stack, lawyer, {
      ...app,
      scope: 'profile:read',
    });
    const both = await Promise.all(
      [1, 2].map(() =>
        tokenRequest(origin, app, {
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token,
        }),
      ),
    );
    expect(both.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(both.some((r) => r.body.error === 'invalid_grant')).toBe(true);
    for (const r of both.filter((x) => x.status === 200))
      expect(errorCodes(await gql(stack, profile, {}, { token: r.body.access_token }))).toEqual([
        'INVALID_TOKEN',
      ]);
  });

  it('loses access when the lawyer revokes the authorisation', async () => {
    const tokens = await authorizeAsLawyer(origin, stack, lawyer, {
      ...app,
      scope: 'profile:read',
    });
    ok(await gql(stack, profile, {}, { token: tokens.access_token }));
    const [grant] = ok(await gql(stack, '{ appAuthorizations { id } }', {}, { token: lawyer })).data
      .appAuthorizations;
    ok(
      await gql(stack, 'mutation R($id: ID!) { revokeAppAuthorization(id: $id) }', grant, {
        token: lawyer,
      }),
    );
    expect(errorCodes(await gql(stack, profile, {}, { token: tokens.access_token }))).toEqual([
      'INVALID_TOKEN',
    ]);
    const refresh = await tokenRequest(origin, app, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(refresh.body.error).toBe('invalid_grant');
    expect(
      ok(await gql(stack, '{ appAuthorizations { id } }', {}, { token: lawyer })).data
        .appAuthorizations,
    ).toEqual([]);
  });

  it('needs an identity-verified session (or a step-up) to grant personal data', async () => {
    const phoneSession = (
      await stack.services.identity.sessions.open({
        role: 'LAWYER',
        subjectId: people.zhangSanId,
        method: 'SMS_CODE',
      })
    ).token;
    const jar = new CookieJar();
    const uid = await startAuthorization(origin, jar, {
      ...app,
      scope: 'profile:read',
      challenge: pkce().challenge,
    });
    const request = ok(
      await gql(
        stack,
        /* GraphQL */ `
          query C($uid: ID!) {
            oauthConsentRequest(uid: $uid) {
              applicationName
              needsVerification
              scopes {
                name
                label
              }
            }
          }
        `,
        { uid },
        { token: phoneSession },
      ),
    ).data.oauthConsentRequest;
    expect(request).toMatchObject({
      applicationName: '明理律所案件管理系统',
      needsVerification: true,
      scopes: [{ name: 'profile:read', label: '读取个人信息' }],
    });
    const approve = await gql(
      stack,
      decideConsent,
      { uid, approve: true },
      { token: phoneSession },
    );
    expect(errorCodes(approve)).toEqual(['STEP_UP_REQUIRED']);
    expect(approve.errors?.[0]?.extensions?.purpose).toBe('AUTHORIZE_APP');
    // Refusing needs no verification; the application hears access_denied.
    const refuse = ok(
      await gql(stack, decideConsent, { uid, approve: false }, { token: phoneSession }),
    );
    const back = await finishAuthorization(jar, refuse.data.decideOAuthConsent.redirectTo);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('finishes only in the browser that started the request', async () => {
    const asker = new CookieJar();
    const uid = await startAuthorization(origin, asker, {
      ...app,
      scope: 'profile:read',
      challenge: pkce().challenge,
    });
    // The consent link reached another browser, whose lawyer approves there.
    const decided = ok(await gql(stack, decideConsent, { uid, approve: true }, { token: lawyer }));
    const elsewhere = await new CookieJar().get(decided.data.decideOAuthConsent.redirectTo);
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain('session_not_found');
    // The approval was used up by that attempt? No: it is claimed only after the cookie matched.
    const back = await finishAuthorization(asker, decided.data.decideOAuthConsent.redirectTo);
    expect(back.searchParams.get('code')).toBeTruthy();
    // And it is single use.
    const again = await asker.get(decided.data.decideOAuthConsent.redirectTo);
    expect(again.status).toBe(400);
  });

  it('refuses a client whose secret is wrong, and a redirect URI not registered', async () => {
    const wrong = await tokenRequest(
      origin,
      { ...app, clientSecret: 'yjs_wrong' },
      {
        grant_type: 'authorization_code',
        code: 'x',
        redirect_uri: redirectUri,
      },
    );
    expect(wrong.status).toBe(401);
    const res = await new CookieJar().get(
      `${origin}/oauth/auth?${new URLSearchParams({
        client_id: app.clientId,
        response_type: 'code',
        redirect_uri: 'https://evil.example/cb',
        scope: 'profile:read',
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
      })}`,
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('授权失败');
  });
});
