import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { codes, startIdentity, type Harness } from './harness.ts';
import { seedPeople, wangWu, zhangSan, type People } from './fixtures.ts';
import { activate, scanLogin, signed, type Verifier } from './verifier.ts';

const requestCode = /* GraphQL */ `
  mutation Req($phone: String!) {
    requestLoginSmsCode(phone: $phone) {
      phoneMasked
      resendAfterSeconds
      expiresInSeconds
    }
  }
`;
const withCode = /* GraphQL */ `
  mutation Login($phone: String!, $code: String!) {
    loginWithSmsCode(phone: $phone, code: $code) {
      token
      nextStep
      session {
        role
        method
        identityVerified
      }
    }
  }
`;
const withPassword = /* GraphQL */ `
  mutation Login($phone: String!, $password: String!) {
    loginWithPassword(phone: $phone, password: $password) {
      token
      nextStep
      session {
        method
        identityVerified
      }
    }
  }
`;
const setPassword = /* GraphQL */ `
  mutation Set($p: String!) {
    setPassword(newPassword: $p)
  }
`;

describe('phone + SMS code and phone + password logins', () => {
  let h: Harness;
  let people: People;
  let zhang: Verifier;

  beforeAll(async () => {
    h = await startIdentity('identity_logins');
    people = await seedPeople(h);
    zhang = await activate(h, zhangSan, '13500000001');
    await h.models.Lawyer.updateOne(
      { _id: people.zhangSanId },
      {
        $set: { registeredAt: new Date(), consent: { version: '2025-01', acceptedAt: new Date() } },
      },
    ).exec();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('logs a registered lawyer in with an SMS code: a session that is not identity-verified', async () => {
    // The activation code just went to it: a login code is another purpose, so it goes too (issue 15);
    // a second login code within the interval does not.
    expect(codes(await h.call(anonymous, requestCode, { phone: zhang.phone }))).toEqual([]);
    expect(codes(await h.call(anonymous, requestCode, { phone: zhang.phone }))).toEqual([
      'SMS_TOO_FREQUENT',
    ]);
    h.clock.advance(61);
    const sent = await h.call(anonymous, requestCode, { phone: zhang.phone });
    expect(sent.data.requestLoginSmsCode).toEqual({
      phoneMasked: '135****0001',
      resendAfterSeconds: 60,
      expiresInSeconds: 300,
    });
    const code = h.sms.lastCode(zhang.phone);
    expect(h.sms.sent.at(-1)).toMatchObject({ kind: 'LOGIN_CODE', phone: zhang.phone });
    const stored = await h.collections.smsCodes.find({}).toArray();
    expect(JSON.stringify(stored)).not.toMatch(new RegExp(`"${code}"`));

    const login = await h.call(anonymous, withCode, { phone: zhang.phone, code });
    expect(login.errors).toBeUndefined();
    expect(login.data.loginWithSmsCode).toMatchObject({
      nextStep: 'DONE',
      session: { role: 'LAWYER', method: 'SMS_CODE', identityVerified: false },
    });
    expect(
      await h.services.sessions.resolve(login.data.loginWithSmsCode.token, h.clock.now()),
    ).toMatchObject({ lawyerId: people.zhangSanId, verified: false });
    expect(codes(await h.call(anonymous, withCode, { phone: zhang.phone, code }))).toEqual([
      'CODE_USED',
    ]);
  });

  it('answers an unknown or unregistered phone exactly as a registered one, sends nothing, and never logs it in', async () => {
    const before = h.sms.sent.length;
    await activate(h, wangWu, '13500000002'); // activated but never completed 完善信息
    const sentAfterActivation = h.sms.sent.length;
    for (const phone of ['13500000009', '13500000002']) {
      h.clock.advance(61);
      const r = await h.call(anonymous, requestCode, { phone });
      expect(r.data.requestLoginSmsCode).toEqual({
        phoneMasked: `135****${phone.slice(-4)}`,
        resendAfterSeconds: 60,
        expiresInSeconds: 300,
      });
      const guess = await h.call(anonymous, withCode, { phone, code: '123456' });
      expect(codes(guess)).toEqual(['CODE_INVALID']);
      expect(guess.errors![0]!.extensions!.remainingAttempts).toBe(4);
    }
    expect(h.sms.sent.length).toBe(sentAfterActivation);
    expect(sentAfterActivation).toBe(before + 1);
  });

  it('refuses malformed phones and codes', async () => {
    expect(codes(await h.call(anonymous, requestCode, { phone: '1350000000' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(
      codes(await h.call(anonymous, withCode, { phone: '23500000001', code: '123456' })),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(await h.call(anonymous, withCode, { phone: '13500000055', code: '123456' })),
    ).toEqual(['CODE_INVALID']);
  });

  it('says a phone has no password instead of counting an attempt (issue 15.6)', async () => {
    for (let i = 0; i < 7; i++) {
      const r = await h.call(
        anonymous,
        withPassword,
        { phone: zhang.phone, password: `Guess${i}2025` },
        { ip: `192.0.2.${60 + i}` },
      );
      expect(codes(r)).toEqual(['PASSWORD_NOT_SET']);
      expect(r.errors![0]!.message).toContain('未设置登录密码');
    }
    // The same answer for a number nobody registered.
    expect(
      codes(
        await h.call(
          anonymous,
          withPassword,
          { phone: '13500000019', password: 'Guess2025' },
          { ip: '192.0.2.70' },
        ),
      ),
    ).toEqual(['PASSWORD_NOT_SET']);
    expect(
      await h.collections.slots.countDocuments({
        _id: { $regex: new RegExp(`^pw.*${zhang.phone}`) },
      }),
    ).toBe(0);
  });

  it('sets a password from a scan-login session or after a PASSWORD step-up (忘记密码), ends the other sessions, then logs in with it', async () => {
    const sms = await h.services.sessions.open(
      { role: 'LAWYER', subjectId: people.zhangSanId, method: 'SMS_CODE' },
      h.clock.now(),
    );
    const smsIdentity = (await h.services.sessions.resolve(sms.token, h.clock.now()))!;
    const refused = await h.call(smsIdentity, setPassword, { p: 'Zhang2025pass' });
    expect(codes(refused)).toEqual(['STEP_UP_REQUIRED']);
    expect(refused.errors![0]!.extensions!.purpose).toBe('PASSWORD');

    const scan = await scanLogin(h, zhang);
    for (const weak of ['short1', 'onlyletters', '1234567890', 'has space 123']) {
      const r = await h.call(scan.identity, setPassword, { p: weak });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.extensions!.field).toBe('newPassword');
    }
    expect((await h.call(scan.identity, setPassword, { p: 'Zhang2025pass' })).data).toEqual({
      setPassword: true,
    });
    const lawyer = await h.models.Lawyer.findById(people.zhangSanId).lean().exec();
    expect(lawyer?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(lawyer)).not.toContain('Zhang2025pass');
    expect(await h.services.sessions.resolve(sms.token, h.clock.now())).toBeNull();
    expect(await h.services.sessions.resolve(scan.token, h.clock.now())).toMatchObject({
      lawyerId: people.zhangSanId,
    });
    expect(
      await h.models.AuditEvent.findOne({ kind: 'PASSWORD_CHANGED', actorId: people.zhangSanId })
        .lean()
        .exec(),
    ).toBeTruthy();

    const login = await h.call(anonymous, withPassword, {
      phone: zhang.phone,
      password: 'Zhang2025pass',
    });
    expect(login.data.loginWithPassword).toMatchObject({
      nextStep: 'DONE',
      session: { method: 'PASSWORD', identityVerified: false },
    });
    const wrong = await h.call(anonymous, withPassword, {
      phone: zhang.phone,
      password: 'Wrong2025pass',
    });
    expect(codes(wrong)).toEqual(['INVALID_CREDENTIALS']);
    expect(
      codes(
        await h.call(anonymous, withPassword, { phone: '13500000009', password: 'Zhang2025pass' }),
      ),
    ).toEqual(['PASSWORD_NOT_SET']);
    expect(
      await h.models.AuditEvent.countDocuments({ kind: 'LOGIN_FAILED', detail: /password/ }).exec(),
    ).toBeGreaterThanOrEqual(2);

    // 忘记密码: a phone-code session, a PASSWORD scan on the lawyer's own verifier, a new password.
    const reset = await h.services.sessions.open(
      { role: 'LAWYER', subjectId: people.zhangSanId, method: 'SMS_CODE' },
      h.clock.now(),
    );
    const resetIdentity = async () =>
      (await h.services.sessions.resolve(reset.token, h.clock.now()))!;
    const asked = await h.call(
      await resetIdentity(),
      /* GraphQL */ `
        mutation {
          createVerificationChallenge(purpose: PASSWORD) {
            qrPayload
          }
        }
      `,
    );
    const scanned = await h.call(
      anonymous,
      /* GraphQL */ `
        mutation C($input: SignedTicketActionInput!) {
          confirmVerificationChallenge(input: $input) {
            status
          }
        }
      `,
      {
        input: await signed(
          zhang,
          'step-up',
          asked.data.createVerificationChallenge.qrPayload,
          h.clock.now(),
        ),
      },
    );
    expect(scanned.data.confirmVerificationChallenge.status).toBe('CONFIRMED');
    expect(
      (await h.call(await resetIdentity(), setPassword, { p: 'Zhang2026reset' })).data,
    ).toEqual({ setPassword: true });
    // The scan is spent: a second change needs another.
    expect(
      codes(await h.call(await resetIdentity(), setPassword, { p: 'Zhang2026again' })),
    ).toEqual(['STEP_UP_REQUIRED']);
    expect(
      await h.services.sessions.resolve(login.data.loginWithPassword.token, h.clock.now()),
    ).toBeNull();
    expect(
      codes(
        await h.call(anonymous, withPassword, { phone: zhang.phone, password: 'Zhang2025pass' }),
      ),
    ).toEqual(['INVALID_CREDENTIALS']);
    expect(
      (await h.call(anonymous, withPassword, { phone: zhang.phone, password: 'Zhang2026reset' }))
        .data.loginWithPassword.session.method,
    ).toBe('PASSWORD');
    expect(
      await h.models.AuditEvent.findOne({
        kind: 'PASSWORD_CHANGED',
        detail: 'changed after a PASSWORD step-up',
      })
        .lean()
        .exec(),
    ).toBeTruthy();
  });
});
