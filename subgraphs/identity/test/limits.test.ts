import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { codes, startIdentity, type Harness } from './harness.ts';
import { liSi, seedPeople, zhangSan, type People } from './fixtures.ts';
import { activate, personalInfo, scanLogin, ticketOps, type Verifier } from './verifier.ts';

const requestCode = /* GraphQL */ `
  mutation Req($phone: String!) {
    requestLoginSmsCode(phone: $phone) {
      resendAfterSeconds
    }
  }
`;
const withCode = /* GraphQL */ `
  mutation Login($phone: String!, $code: String!) {
    loginWithSmsCode(phone: $phone, code: $code) {
      token
    }
  }
`;
const withPassword = /* GraphQL */ `
  mutation Login($phone: String!, $password: String!) {
    loginWithPassword(phone: $phone, password: $password) {
      token
    }
  }
`;

/** Seconds to the next China (UTC+8) midnight, where the daily SMS count starts again. */
const toChinaMidnight = (now: Date) => 86_400 - ((now.getTime() / 1000 + 8 * 3600) % 86_400);
const detail = (r: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  r.errors?.[0]?.extensions ?? {};

describe('SMS code and password limits (configured small), each tripping and resetting', () => {
  let h: Harness;
  let people: People;
  let zhang: Verifier;

  beforeAll(async () => {
    h = await startIdentity('identity_limits', {
      env: {
        SMS_RESEND_SECONDS: '30',
        SMS_DAILY_LIMIT: '3',
        SMS_CODE_MAX_ATTEMPTS: '3',
        SMS_CODE_TTL_SECONDS: '120',
        PASSWORD_MAX_FAILURES: '3',
        PASSWORD_LOCK_SECONDS: '300',
      },
    });
    people = await seedPeople(h);
    zhang = await activate(h, zhangSan, '13300000001');
    await h.models.Lawyer.updateOne(
      { _id: people.zhangSanId },
      {
        $set: {
          registeredAt: new Date(),
          passwordHash: await h.services.passwords.hash('Right2025pass'),
        },
      },
    ).exec();
    h.clock.advance(toChinaMidnight(h.clock.now()) + 60); // a fresh China day: the activation code is yesterday's
  });
  afterAll(async () => {
    await h?.stop();
  });

  const ask = (phone = zhang.phone) => h.call(anonymous, requestCode, { phone });
  const login = (code: string, phone = zhang.phone) => h.call(anonymous, withCode, { phone, code });
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('sends one code per phone per resend interval and a daily number of codes, then starts again', async () => {
    expect((await ask()).errors).toBeUndefined();
    const tooSoon = await ask();
    expect(codes(tooSoon)).toEqual(['SMS_TOO_FREQUENT']);
    expect(detail(tooSoon).retryAfterSeconds).toBeGreaterThan(25);
    expect(tooSoon.errors![0]!.message).toMatch(/秒后再试/);
    h.clock.advance(31);
    expect((await ask()).errors).toBeUndefined();
    h.clock.advance(31);
    expect((await ask()).errors).toBeUndefined();
    h.clock.advance(31);
    const daily = await ask();
    expect(codes(daily)).toEqual(['SMS_DAILY_LIMIT']);
    expect(daily.errors![0]!.message).toContain('今日');
    h.clock.advance(toChinaMidnight(h.clock.now()) + 1);
    expect((await ask()).errors).toBeUndefined();
    expect((await login(h.sms.lastCode(zhang.phone))).data?.loginWithSmsCode.token).toBeTruthy();
  });

  it('invalidates a code after the configured wrong tries, even for the right code; a new code works', async () => {
    h.clock.advance(31);
    await ask();
    const code = h.sms.lastCode(zhang.phone);
    const first = await login(wrong(code));
    expect(codes(first)).toEqual(['CODE_INVALID']);
    expect(detail(first).remainingAttempts).toBe(2);
    expect(codes(await login(wrong(code)))).toEqual(['CODE_INVALID']);
    expect(codes(await login(wrong(code)))).toEqual(['CODE_ATTEMPTS_EXCEEDED']);
    expect(codes(await login(code))).toEqual(['CODE_ATTEMPTS_EXCEEDED']);
    h.clock.advance(31);
    await ask();
    expect((await login(h.sms.lastCode(zhang.phone))).errors).toBeUndefined();
  });

  it('lets no more guesses through than the limit when they arrive all at once', async () => {
    h.clock.advance(toChinaMidnight(h.clock.now()) + 1);
    await ask();
    const code = h.sms.lastCode(zhang.phone);
    const results = await Promise.all(Array.from({ length: 10 }, () => login(wrong(code))));
    expect(results.flatMap(codes).sort()).toEqual([
      ...Array(8).fill('CODE_ATTEMPTS_EXCEEDED'),
      'CODE_INVALID',
      'CODE_INVALID',
    ]);
    expect(codes(await login(code))).toEqual(['CODE_ATTEMPTS_EXCEEDED']);
  });

  it('sends one code when many requests for a phone arrive at once', async () => {
    h.clock.advance(31);
    const before = h.sms.sent.length;
    const results = await Promise.all(Array.from({ length: 8 }, () => ask()));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.flatMap(codes)).toEqual(Array(7).fill('SMS_TOO_FREQUENT'));
    expect(h.sms.sent.length).toBe(before + 1);
  });

  it('expires a code after its lifetime', async () => {
    h.clock.advance(toChinaMidnight(h.clock.now()) + 1);
    await ask();
    h.clock.advance(121);
    expect(codes(await login(h.sms.lastCode(zhang.phone)))).toEqual(['CODE_EXPIRED']);
  });

  it('locks password login after the configured failures for the configured time; a success resets the count', async () => {
    const attempt = (password: string) =>
      h.call(anonymous, withPassword, { phone: zhang.phone, password });
    expect(codes(await attempt('Wrong1pass'))).toEqual(['INVALID_CREDENTIALS']);
    expect(codes(await attempt('Wrong1pass'))).toEqual(['INVALID_CREDENTIALS']);
    expect((await attempt('Right2025pass')).errors).toBeUndefined();
    expect(detail(await attempt('Wrong1pass')).remainingAttempts).toBe(2);
    expect(codes(await attempt('Wrong1pass'))).toEqual(['INVALID_CREDENTIALS']);
    const locking = await attempt('Wrong1pass');
    expect(codes(locking)).toEqual(['ACCOUNT_LOCKED']);
    expect(locking.errors![0]!.message).toContain('5 分钟');
    const locked = await attempt('Right2025pass');
    expect(codes(locked)).toEqual(['ACCOUNT_LOCKED']);
    expect(detail(locked).retryAfterSeconds).toBeGreaterThan(290);
    h.clock.advance(301);
    expect((await attempt('Right2025pass')).errors).toBeUndefined();
  });

  it('lets no more password guesses through than the limit when they arrive all at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.call(anonymous, withPassword, { phone: zhang.phone, password: 'Wrong1pass' }),
      ),
    );
    expect(results.flatMap(codes).sort()).toEqual([
      ...Array(8).fill('ACCOUNT_LOCKED'),
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
    ]);
    h.clock.advance(301);
  });
});

describe('per-IP rate limits (configured small), each tripping and resetting', () => {
  let h: Harness;
  let li: Verifier;
  const browser = (ip: string) => ({ ip, userAgent: 'Mozilla/5.0 Firefox/128.0' });

  beforeAll(async () => {
    h = await startIdentity('identity_rates', {
      env: {
        RATE_WINDOW_SECONDS: '60',
        RATE_TICKETS_PER_IP: '3',
        RATE_CHALLENGES_PER_IP: '2',
        RATE_LOGINS_PER_IP: '3',
      },
    });
    await seedPeople(h);
    li = await activate(h, liSi, '13300000002');
  });
  afterAll(async () => {
    await h?.stop();
  });

  /** Starts the test at the beginning of a fixed window, so it cannot straddle two. */
  const alignToWindow = () => h.clock.advance(60 - ((h.clock.now().getTime() / 1000) % 60) + 0.01);

  it('limits login tickets per IP', async () => {
    alignToWindow();
    const create = (ip: string) => h.call(anonymous, ticketOps.create, {}, browser(ip));
    for (let i = 0; i < 3; i++) expect((await create('192.0.2.1')).errors).toBeUndefined();
    const refused = await create('192.0.2.1');
    expect(codes(refused)).toEqual(['RATE_LIMITED']);
    expect(detail(refused)).toMatchObject({
      rateLimit: 'TICKET',
      retryAfterSeconds: expect.any(Number),
    });
    expect((await create('192.0.2.2')).errors).toBeUndefined();
    h.clock.advance(60);
    expect((await create('192.0.2.1')).errors).toBeUndefined();
  });

  it('limits step-up challenges per IP', async () => {
    alignToWindow();
    const { identity } = await scanLogin(h, li);
    const ask = (ip: string) =>
      h.call(
        identity,
        /* GraphQL */ `
          mutation {
            createVerificationChallenge(purpose: BIND_CASE) {
              id
            }
          }
        `,
        {},
        browser(ip),
      );
    expect((await ask('192.0.2.3')).errors).toBeUndefined();
    expect((await ask('192.0.2.3')).errors).toBeUndefined();
    expect(codes(await ask('192.0.2.3'))).toEqual(['RATE_LIMITED']);
    h.clock.advance(60);
    expect((await ask('192.0.2.3')).errors).toBeUndefined();
  });

  it('limits login attempts per IP across login kinds (password, code, ticket redemption, activation)', async () => {
    alignToWindow();
    const ip = browser('192.0.2.4');
    expect(
      codes(await h.call(anonymous, withPassword, { phone: li.phone, password: 'Nope12345' }, ip)),
    ).toEqual(['PASSWORD_NOT_SET']);
    expect(
      codes(await h.call(anonymous, withCode, { phone: li.phone, code: '000000' }, ip)),
    ).toEqual(['CODE_INVALID']);
    expect(
      codes(await h.call(anonymous, ticketOps.redeem, { id: 'x'.repeat(24), secret: 'y' }, ip)),
    ).toEqual(['TICKET_INVALID']);
    const start = /* GraphQL */ `
      mutation S($input: StartActivationInput!) {
        startActivation(input: $input) {
          status
        }
      }
    `;
    expect(codes(await h.call(anonymous, start, { input: personalInfo(liSi) }, ip))).toEqual([
      'RATE_LIMITED',
    ]);
    expect(
      codes(await h.call(anonymous, withPassword, { phone: li.phone, password: 'Nope12345' }, ip)),
    ).toEqual(['RATE_LIMITED']);
    h.clock.advance(60);
    expect(
      (await h.call(anonymous, start, { input: personalInfo(liSi) }, ip)).data.startActivation
        .status,
    ).toBe('INFO_VERIFIED');
  });

  it('sweeps counters no limit needs any more (no TTL indexes on FerretDB)', async () => {
    const before = await h.collections.slots.countDocuments({ _id: { $regex: /^rate:/ } });
    expect(before).toBeGreaterThan(0);
    await h.services.sweep(new Date(h.clock.now().getTime() + 2 * 86_400_000)); // the longest window: activation starts per licence per day
    expect(await h.collections.slots.countDocuments({ _id: { $regex: /^rate:/ } })).toBe(0);
  });
});

describe('lockouts that a stranger cannot turn against the owner (issue 14)', () => {
  let h: Harness;
  let zhang: Verifier;
  const stranger = {
    ip: '203.0.113.66',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0',
  };
  const owner = { ip: '198.51.100.20', userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/120.0' };
  const adminCode = /* GraphQL */ `
    mutation A($u: String!, $p: String!) {
      requestAdministratorSmsCode(username: $u, password: $p) {
        phoneMasked
      }
    }
  `;

  beforeAll(async () => {
    h = await startIdentity('identity_lockout_sources', {
      env: {
        PASSWORD_MAX_FAILURES: '3',
        PASSWORD_LOCK_SECONDS: '900',
        PASSWORD_ACCOUNT_FAILURES_PER_DAY: '7',
        SMS_RESEND_SECONDS: '30',
        SMS_DAILY_LIMIT: '10',
        SMS_DAILY_LIMIT_PER_SOURCE: '2',
      },
    });
    const people = await seedPeople(h);
    zhang = await activate(h, zhangSan, '13300000002');
    await h.models.Lawyer.updateOne(
      { _id: people.zhangSanId },
      {
        $set: {
          registeredAt: new Date(),
          passwordHash: await h.services.passwords.hash('Right2025pass'),
        },
      },
    ).exec();
    await h.models.Administrator.updateOne(
      { _id: people.adminId },
      {
        $set: {
          phone: '13900009999',
          passwordHash: await h.services.passwords.hash('Admin2025pass'),
        },
      },
    ).exec();
    h.clock.advance(toChinaMidnight(h.clock.now()) + 60);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("locks the stranger's browser out of `admin`, not the administrator", async () => {
    for (let i = 0; i < 3; i++)
      await h.call(anonymous, adminCode, { u: 'admin', p: 'guess' }, stranger);
    expect(
      codes(await h.call(anonymous, adminCode, { u: 'admin', p: 'Admin2025pass' }, stranger)),
    ).toEqual(['ACCOUNT_LOCKED']);
    expect(
      (await h.call(anonymous, adminCode, { u: 'admin', p: 'Admin2025pass' }, owner)).errors,
    ).toBeUndefined();
  });

  it("stops guessing spread over many browsers at the account's daily cap; the lawyer still gets in by SMS code", async () => {
    const from = (n: number) => ({ ip: `203.0.113.${n}`, userAgent: 'Bot' });
    for (let n = 1; n <= 7; n++)
      expect(
        codes(
          await h.call(
            anonymous,
            withPassword,
            { phone: zhang.phone, password: `Guess${n}abc` },
            from(n),
          ),
        ),
      ).toEqual(['INVALID_CREDENTIALS']);
    expect(
      codes(
        await h.call(
          anonymous,
          withPassword,
          { phone: zhang.phone, password: 'Right2025pass' },
          owner,
        ),
      ),
    ).toEqual(['ACCOUNT_LOCKED']);
    expect(
      (await h.call(anonymous, requestCode, { phone: zhang.phone }, owner)).errors,
    ).toBeUndefined();
    expect(
      (
        await h.call(
          anonymous,
          withCode,
          { phone: zhang.phone, code: h.sms.lastCode(zhang.phone) },
          owner,
        )
      ).data?.loginWithSmsCode.token,
    ).toBeTruthy();
    h.clock.advance(86_400);
    expect(
      (
        await h.call(
          anonymous,
          withPassword,
          { phone: zhang.phone, password: 'Right2025pass' },
          owner,
        )
      ).data?.loginWithPassword.token,
    ).toBeTruthy();
  });

  it("lets one browser ask only its share of a phone's daily SMS codes, so the owner still gets one", async () => {
    h.clock.advance(toChinaMidnight(h.clock.now()) + 60);
    for (let i = 0; i < 2; i++) {
      expect(
        (await h.call(anonymous, requestCode, { phone: zhang.phone }, stranger)).errors,
      ).toBeUndefined();
      h.clock.advance(31);
    }
    expect(codes(await h.call(anonymous, requestCode, { phone: zhang.phone }, stranger))).toEqual([
      'SMS_DAILY_LIMIT',
    ]);
    expect(
      (await h.call(anonymous, requestCode, { phone: zhang.phone }, owner)).errors,
    ).toBeUndefined();
  });
});
