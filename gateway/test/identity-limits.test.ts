// Every abuse limit of point 7 trips and resets through the real gateway, with small configured
// values and the identity subgraph's clock moved by the test. Identity's SMS channel is a
// recorder here, so that the limits under test are identity's alone (notifications has its own
// per-phone limit on real time; the real SMS route is exercised by identity-flows and -stepup).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './stack.ts';
import { seedPeople, zhangSan } from './fixtures.ts';
import {
  activate,
  codes,
  createRecordingSms,
  createTestClock,
  gql,
  ok,
  ops,
  register,
  scanLogin,
  startIdentityStack,
  type Answer,
  type Verifier,
} from './identity-fixtures.ts';

/** Seconds to the next China (UTC+8) midnight, where the daily SMS count starts again. */
const toChinaMidnight = (now: Date) => 86_400 - ((now.getTime() / 1000 + 8 * 3600) % 86_400);
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
const retryAfter = (answer: Answer) => answer.errors?.[0]?.extensions?.retryAfterSeconds as number;

describe('identity abuse limits through the gateway', () => {
  const clock = createTestClock();
  const sms = createRecordingSms();
  const lastCode = () => sms.read(zhang.phone, 'LOGIN_CODE');
  let stack: Stack;
  let zhang: Verifier;
  let verified: string;
  // Each test speaks from its own address, so the per-IP login limit trips only where meant.
  const from = (n: number) => ({ ip: `192.0.2.${n}` });

  beforeAll(async () => {
    stack = await startIdentityStack('idlimits', clock, {
      subgraphEnv: {
        identity: {
          SMS_RESEND_SECONDS: '30',
          SMS_DAILY_LIMIT: '3',
          SMS_CODE_MAX_ATTEMPTS: '5',
          SMS_CODE_TTL_SECONDS: '60',
          PASSWORD_MAX_FAILURES: '5',
          PASSWORD_LOCK_SECONDS: '900',
          RATE_WINDOW_SECONDS: '60',
          RATE_TICKETS_PER_IP: '3',
          RATE_CHALLENGES_PER_IP: '3',
          RATE_LOGINS_PER_IP: '12',
        },
      },
      identityDeps: { sms },
    });
    await seedPeople(stack);
    zhang = await activate(stack, zhangSan, '13500000001', from(1), sms.read);
    verified = await register(stack, zhang, clock);
    ok(
      await gql(
        stack,
        /* GraphQL */ `
          mutation S($p: String!) {
            setPassword(newPassword: $p)
          }
        `,
        { p: 'Right2025pass' },
        { token: verified },
      ),
    );
    clock.advance(toChinaMidnight(clock.now()) + 60); // a fresh China day: the activation code was yesterday's
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const ask = (ip = from(2)) => gql(stack, ops.requestLoginCode, { phone: zhang.phone }, ip);
  const login = (code: string, ip = from(3)) =>
    gql(stack, ops.loginWithCode, { phone: zhang.phone, code }, ip);

  it('sends one code per phone per resend interval and a daily number, then starts again the next day', async () => {
    ok(await ask());
    const tooSoon = await ask();
    expect(codes(tooSoon)).toEqual(['SMS_TOO_FREQUENT']);
    expect(retryAfter(tooSoon)).toBeGreaterThan(25);
    expect(tooSoon.errors![0]!.message).toMatch(/^验证码发送过于频繁，请 \d+ 秒后再试。$/);
    for (let i = 0; i < 2; i++) {
      clock.advance(31);
      ok(await ask());
    }
    clock.advance(31);
    const daily = await ask();
    expect(codes(daily)).toEqual(['SMS_DAILY_LIMIT']);
    expect(daily.errors![0]!.message).toBe('该手机号今日获取验证码已达 3 次，请明天再试。');
    clock.advance(toChinaMidnight(clock.now()) + 1);
    ok(await ask());
    expect(ok(await login(await lastCode())).data.loginWithSmsCode.token).toBeTruthy();
  });

  it('invalidates a code after 5 wrong tries, even for the right code; a new code works', async () => {
    clock.advance(31);
    ok(await ask());
    const code = await lastCode();
    for (let left = 4; left >= 1; left--) {
      const r = await login(wrong(code));
      expect(codes(r)).toEqual(['CODE_INVALID']);
      expect(r.errors![0]!.message).toBe(`验证码不正确，还可尝试 ${left} 次。`);
    }
    expect(codes(await login(wrong(code)))).toEqual(['CODE_ATTEMPTS_EXCEEDED']);
    const exhausted = await login(code);
    expect(codes(exhausted)).toEqual(['CODE_ATTEMPTS_EXCEEDED']);
    expect(exhausted.errors![0]!.message).toBe('验证码错误次数过多，已失效，请重新获取。');
    clock.advance(31);
    ok(await ask(from(4)));
    expect(ok(await login(await lastCode(), from(4))).data.loginWithSmsCode.token).toBeTruthy();
  });

  it('expires a code after its configured lifetime, and a code is used once', async () => {
    clock.advance(toChinaMidnight(clock.now()) + 1);
    ok(await ask(from(5)));
    const stale = await lastCode();
    clock.advance(61);
    const expired = await login(stale, from(5));
    expect(codes(expired)).toEqual(['CODE_EXPIRED']);
    expect(expired.errors![0]!.message).toBe('验证码已过期，请重新获取。');
    ok(await ask(from(5)));
    const fresh = await lastCode();
    ok(await login(fresh, from(5)));
    expect(codes(await login(fresh, from(5)))).toEqual(['CODE_USED']);
  });

  it('locks password login for 15 minutes after 5 failures, even for the right password, then lets it in', async () => {
    const attempt = (password: string) =>
      gql(stack, ops.loginWithPassword, { phone: zhang.phone, password }, from(6));
    for (let left = 4; left >= 1; left--) {
      const r = await attempt('Wrong2025pass');
      expect(codes(r)).toEqual(['INVALID_CREDENTIALS']);
      expect(r.errors![0]!.message).toBe(`账号或密码不正确，还可尝试 ${left} 次。`);
    }
    const locking = await attempt('Wrong2025pass');
    expect(codes(locking)).toEqual(['ACCOUNT_LOCKED']);
    expect(locking.errors![0]!.message).toBe('密码错误次数过多，账号已锁定，请 15 分钟后再试。');
    clock.advance(890);
    expect(codes(await attempt('Right2025pass'))).toEqual(['ACCOUNT_LOCKED']); // this browser is still locked out
    // The owner elsewhere (another address and browser) is not locked out by those tries (issue 14).
    expect(
      ok(
        await gql(
          stack,
          ops.loginWithPassword,
          { phone: zhang.phone, password: 'Right2025pass' },
          from(7),
        ),
      ).data.loginWithPassword.token,
    ).toBeTruthy();
    clock.advance(11);
    expect(ok(await attempt('Right2025pass')).data.loginWithPassword.token).toBeTruthy();
    expect(codes(await attempt('Wrong2025pass'))).toEqual(['INVALID_CREDENTIALS']); // the count started again
  });

  it('limits login tickets per IP per window; another IP is not affected; the next window lets them in', async () => {
    clock.advance(60 - ((clock.now().getTime() / 1000) % 60) + 0.01); // the start of a window
    for (let i = 0; i < 3; i++) ok(await gql(stack, ops.createTicket, {}, from(8)));
    const refused = await gql(stack, ops.createTicket, {}, from(8));
    expect(codes(refused)).toEqual(['RATE_LIMITED']);
    expect(refused.errors![0]!.message).toBe('操作过于频繁，请稍后再试。');
    expect(refused.errors![0]!.extensions).toMatchObject({
      rateLimit: 'TICKET',
      retryAfterSeconds: expect.any(Number),
      serviceName: 'identity',
    });
    ok(await gql(stack, ops.createTicket, {}, from(9)));
    clock.advance(60);
    ok(await gql(stack, ops.createTicket, {}, from(8)));
  });

  it('limits step-up challenges per IP per window', async () => {
    clock.advance(60 - ((clock.now().getTime() / 1000) % 60) + 0.01);
    const { token } = await scanLogin(stack, zhang, clock); // the first session has long expired on the moved clock
    const asking = (ip: number) =>
      gql(stack, ops.createChallenge, { purpose: 'BIND_CASE' }, { token, ...from(ip) });
    for (let i = 0; i < 3; i++) ok(await asking(10));
    expect(codes(await asking(10))).toEqual(['RATE_LIMITED']);
    ok(await asking(11));
    clock.advance(60);
    ok(await asking(10));
  });

  it('limits login attempts per IP across kinds (password, code, ticket redemption)', async () => {
    clock.advance(60 - ((clock.now().getTime() / 1000) % 60) + 0.01);
    const ip = from(12);
    for (let i = 0; i < 4; i++) {
      expect(
        codes(
          await gql(
            stack,
            ops.loginWithPassword,
            { phone: '13500000999', password: 'Nope2025pass' },
            ip,
          ),
        ),
      ).toEqual(['PASSWORD_NOT_SET']);
      expect(
        codes(await gql(stack, ops.loginWithCode, { phone: '13500000999', code: '000000' }, ip)),
      ).toEqual(['CODE_INVALID']);
      expect(codes(await gql(stack, ops.redeem, { id: 'x'.repeat(24), secret: 'y' }, ip))).toEqual([
        'TICKET_INVALID',
      ]);
    }
    expect(
      codes(
        await gql(
          stack,
          ops.loginWithPassword,
          { phone: zhang.phone, password: 'Right2025pass' },
          ip,
        ),
      ),
    ).toEqual(['RATE_LIMITED']);
    clock.advance(60);
    expect(
      ok(
        await gql(
          stack,
          ops.loginWithPassword,
          { phone: zhang.phone, password: 'Right2025pass' },
          ip,
        ),
      ).data.loginWithPassword.token,
    ).toBeTruthy();
  });
});
