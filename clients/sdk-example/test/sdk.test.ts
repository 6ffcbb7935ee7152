// The example SDK against the real stack (gateway, four subgraphs, FerretDB): a procuratorate
// system with client credentials pushes a case (once, whatever the retries), uploads a volume
// and reads the case back; a law-firm system runs the authorization code flow with PKCE from
// the SDK's own URL, reads the lawyer's profile and bound cases, renews its token with the
// rotating refresh token, and gets typed errors for what its scopes do not allow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lawyerToken,
  seedApplications,
  seedPeople,
  shanghai,
} from '@yuejuan/gateway/testing/fixtures';
import { createTestClock, gql, ok, tinyPdf } from '@yuejuan/gateway/testing/identity';
import {
  adminToken,
  CookieJar,
  decideConsent,
  finishAuthorization,
  registerApp,
  startOAuthStack,
} from '@yuejuan/gateway/testing/oauth';
import {
  authorizationUrl,
  createPkce,
  exchangeCode,
  lawFirmApp,
  procuratorateSystem,
  YuejuanError,
  type Tokens,
} from '../src/index.ts';

type Stack = Awaited<ReturnType<typeof startOAuthStack>>['stack'];
const clock = createTestClock();
let stack: Stack;
let origin: string;
let admin: string;

beforeAll(async () => {
  ({ stack, origin } = await startOAuthStack('sdk', clock));
  admin = await adminToken(stack);
});
afterAll(async () => {
  await stack?.stop();
});

describe('a procuratorate system with the SDK', () => {
  it('pushes a case once, uploads a volume and reads the case back, typed', async () => {
    await stack.services.cases.cases.importProcuratorate(shanghai);
    const credentials = await registerApp(stack, admin, {
      name: '上海市检察业务应用系统',
      kind: 'PROCURATORATE_SYSTEM',
      procuratorateId: shanghai.id,
      scopes: ['cases:read', 'cases:write', 'volumes:write'],
    });
    const system = procuratorateSystem({ baseUrl: origin, ...credentials });
    const input = {
      departmentCaseNumber: '沪一分检刑诉〔2026〕501号',
      caseName: '钱某某非法吸收公众存款案',
      suspects: ['钱某某', '孙某'],
      stage: 'PROSECUTION_REVIEW' as const,
    };
    const first = await system.intakeCase('sdk-req-0001', input);
    const retry = await system.intakeCase('sdk-req-0001', input);
    expect(first).toMatchObject({ created: true, replayed: false });
    expect(retry).toMatchObject({ created: false, replayed: true });
    expect(retry.case.id).toBe(first.case.id);
    expect(
      await stack.services.cases.models.Case.countDocuments({
        departmentCaseNumber: input.departmentCaseNumber,
      }),
    ).toBe(1);

    const volume = await system.uploadVolume(first.case.id, '第1卷 诉讼文书', tinyPdf('sdk'));
    expect(volume).toMatchObject({ title: '第1卷 诉讼文书', pageCount: 1 });

    const read = await system.case(first.case.id);
    expect(read).toEqual({
      id: first.case.id,
      departmentCaseNumber: input.departmentCaseNumber,
      caseName: input.caseName,
      suspects: input.suspects,
      stage: 'PROSECUTION_REVIEW',
      procuratorate: { id: shanghai.id, name: shanghai.name },
      readingExclusion: null,
    });
    // The token is fetched once and reused until shortly before it expires.
    expect(await system.accessToken()).toBe(await system.accessToken());

    // Wrong credentials: a typed error with OAuth's code.
    const stranger = procuratorateSystem({ baseUrl: origin, ...credentials, clientSecret: 'x' });
    const refused = await stranger.case(first.case.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(YuejuanError);
    expect(refused).toMatchObject({ code: 'invalid_client', status: 401 });
  });
});

describe('a law-firm system with the SDK', () => {
  let people: Awaited<ReturnType<typeof seedPeople>>;
  let lawyer: string;
  beforeAll(async () => {
    people = await seedPeople(stack);
    await seedApplications(stack, people.zhangSanId, 6);
    lawyer = await lawyerToken(stack, people.zhangSanId);
  });

  it('runs the authorization code flow with PKCE and reads what the lawyer allowed', async () => {
    const redirectUri = 'http://127.0.0.1:3397/callback';
    const credentials = await registerApp(stack, admin, {
      name: '明理律所案件管理系统',
      kind: 'LAW_FIRM',
      redirectUris: [redirectUri],
      scopes: ['profile:read', 'bindings:read'],
    });

    // The app sends the lawyer's browser to the SDK's authorization URL …
    const pkce = createPkce();
    const jar = new CookieJar();
    const start = await jar.get(
      authorizationUrl(
        { baseUrl: origin },
        {
          clientId: credentials.clientId,
          redirectUri,
          scope: 'profile:read bindings:read',
          state: 'sdk-state-1',
          challenge: pkce.challenge,
        },
      ),
    );
    expect(start.status).toBe(303);
    const interaction = await jar.get(new URL(start.headers.get('location')!, origin).href);
    const consent = new URL(interaction.headers.get('location')!);
    // … the lawyer consents on the portal (授权确认) …
    const decided = ok(
      await gql(
        stack,
        decideConsent,
        { uid: consent.searchParams.get('uid'), approve: true },
        { token: lawyer },
      ),
    );
    const back = await finishAuthorization(jar, decided.data.decideOAuthConsent.redirectTo);
    expect(back.searchParams.get('state')).toBe('sdk-state-1');
    // … and the redirect's code becomes tokens.
    const tokens = await exchangeCode({ baseUrl: origin }, credentials, {
      code: back.searchParams.get('code')!,
      redirectUri,
      verifier: pkce.verifier,
    });
    expect(tokens.refreshToken).toBeTruthy();

    const stored: Tokens[] = [];
    const app = lawFirmApp({
      baseUrl: origin,
      ...credentials,
      tokens,
      onTokens: (t) => void stored.push(t),
    });
    expect(await app.profile()).toMatchObject({ id: people.zhangSanId, name: '张三' });
    const bound = await app.boundCases({ first: 10 });
    expect(bound?.totalCount).toBe(2);
    expect(bound?.edges.map((e) => e.node.procuratorate.name)).toEqual([
      shanghai.name,
      shanghai.name,
    ]);
    const submitted = await app.bindingApplications({ status: 'SUBMITTED' });
    expect(submitted?.totalCount).toBe(4);
    expect(submitted?.edges.every((e) => e.node.status === 'SUBMITTED')).toBe(true);

    // An expiring access token is renewed with the refresh token, which rotates.
    const expiring = lawFirmApp({
      baseUrl: origin,
      ...credentials,
      tokens: { ...tokens, expiresAt: Date.now() },
      onTokens: (t) => void stored.push(t),
    });
    expect(await expiring.profile()).toMatchObject({ id: people.zhangSanId });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.refreshToken).not.toBe(tokens.refreshToken);
    expect(expiring.tokens().accessToken).not.toBe(tokens.accessToken);
  });

  it('gets typed errors for what the lawyer did not allow', async () => {
    const redirectUri = 'http://127.0.0.1:3396/callback';
    const credentials = await registerApp(stack, admin, {
      name: '只读个人信息的律所系统',
      kind: 'LAW_FIRM',
      redirectUris: [redirectUri],
      scopes: ['profile:read'],
    });
    const pkce = createPkce();
    const jar = new CookieJar();
    const start = await jar.get(
      authorizationUrl(
        { baseUrl: origin },
        {
          clientId: credentials.clientId,
          redirectUri,
          scope: 'profile:read',
          state: 's',
          challenge: pkce.challenge,
        },
      ),
    );
    const interaction = await jar.get(new URL(start.headers.get('location')!, origin).href);
    const uid = new URL(interaction.headers.get('location')!).searchParams.get('uid');
    const decided = ok(await gql(stack, decideConsent, { uid, approve: true }, { token: lawyer }));
    const back = await finishAuthorization(jar, decided.data.decideOAuthConsent.redirectTo);
    const tokens = await exchangeCode({ baseUrl: origin }, credentials, {
      code: back.searchParams.get('code')!,
      redirectUri,
      verifier: pkce.verifier,
    });
    const app = lawFirmApp({ baseUrl: origin, ...credentials, tokens });
    expect((await app.profile())?.name).toBe('张三');
    const refused = await app.boundCases().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(YuejuanError);
    expect(refused).toMatchObject({
      code: 'INSUFFICIENT_SCOPE',
      details: { requiredScopes: ['bindings:read'] },
    });
  });
});
