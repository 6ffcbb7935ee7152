import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { consentText } from '../src/services/consent.ts';
import { codes, startIdentity, type Harness } from './harness.ts';
import { liSi, seedPeople, zhangSan, type People } from './fixtures.ts';
import {
  activate,
  newDeviceKey,
  newTicket,
  scanLogin,
  signed,
  ticketOps,
  type Verifier,
} from './verifier.ts';

const chrome = {
  ip: '203.0.113.7',
  userAgent:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
};
const scanContextQuery = /* GraphQL */ `
  query Ctx($qr: String!) {
    scanContext(qrPayload: $qr) {
      kind
      site
      purpose
      browser
      ip
      requestedAt
      expiresAt
    }
  }
`;
const consentOp = /* GraphQL */ `
  mutation Consent($v: String!) {
    acceptConsent(version: $v) {
      token
      nextStep
      session {
        method
        identityVerified
      }
    }
  }
`;
const profileOp = /* GraphQL */ `
  mutation Profile($input: CompleteProfileInput!) {
    completeProfile(input: $input) {
      token
      nextStep
    }
  }
`;

describe('律师认证登录 (QR scan login) and the first-login pages', () => {
  let h: Harness;
  let people: People;
  let zhang: Verifier;
  let li: Verifier;

  beforeAll(async () => {
    h = await startIdentity('identity_scan');
    people = await seedPeople(h);
    zhang = await activate(h, zhangSan, '13900000001');
    li = await activate(h, liSi, '13900000002');
  });
  afterAll(async () => {
    await h?.stop();
  });

  const act = async (
    v: Pick<Verifier, 'deviceId' | 'key'>,
    op: string,
    action: 'scan' | 'confirm' | 'reject',
    qrPayload: string,
    at = h.clock.now(),
  ) => h.call(anonymous, op, { input: await signed(v, action, qrPayload, at) });
  const redeem = (id: string, secret: string) =>
    h.call(anonymous, ticketOps.redeem, { id, secret });

  it('takes an unregistered lawyer from the QR through 授权信息 and 完善信息 to 个人中心', async () => {
    const created = await h.call(anonymous, ticketOps.create, {}, chrome);
    expect(created.errors).toBeUndefined();
    const { ticket, ticketSecret } = created.data.createLoginTicket;
    expect(ticket.status).toBe('PENDING');
    expect(ticket.qrPayload).toMatch(
      new RegExp(`^yuejuan://login\\?id=${ticket.id}&nonce=[A-Za-z0-9_-]{16}$`),
    );
    expect(ticket.qrPayload).not.toContain(ticketSecret);
    expect(ticket.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const stored = await h.models.LoginTicket.findById(ticket.id).lean().exec();
    expect(JSON.stringify(stored)).not.toContain(ticketSecret);

    const context = await h.call(anonymous, scanContextQuery, { qr: ticket.qrPayload });
    expect(context.data.scanContext).toEqual({
      kind: 'LOGIN',
      site: '12309中国检察网',
      purpose: '登录12309中国检察网',
      browser: 'Chrome 120 · Windows',
      ip: chrome.ip,
      requestedAt: stored!.createdAt.toISOString(),
      expiresAt: ticket.expiresAt,
    });

    const scanned = await act(zhang, ticketOps.scan, 'scan', ticket.qrPayload);
    expect(scanned.data.scanLoginTicket).toEqual(context.data.scanContext);
    expect(
      (await h.call(anonymous, ticketOps.read, { id: ticket.id, secret: ticketSecret })).data
        .loginTicket.status,
    ).toBe('SCANNED');
    expect(
      (await act(zhang, ticketOps.confirm, 'confirm', ticket.qrPayload)).data.confirmLoginTicket,
    ).toEqual({ id: ticket.id, status: 'CONFIRMED' });

    const redeemed = await h.call(
      anonymous,
      ticketOps.redeem,
      { id: ticket.id, secret: ticketSecret },
      chrome,
    );
    expect(redeemed.errors).toBeUndefined();
    expect(redeemed.data.redeemLoginTicket).toMatchObject({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nextStep: 'CONSENT',
      session: { role: 'LAWYER', method: 'SCAN', identityVerified: true },
    });
    const identity = (await h.services.sessions.resolve(
      redeemed.data.redeemLoginTicket.token,
      h.clock.now(),
    ))!;
    expect(identity).toMatchObject({ role: 'LAWYER', lawyerId: people.zhangSanId, verified: true });
    expect(
      (
        await h.models.Session.findOne({ sessionId: redeemed.data.redeemLoginTicket.session.id })
          .lean()
          .exec()
      )?.deviceId,
    ).toBe(zhang.deviceId);
    expect(
      await h.models.AuditEvent.findOne({
        kind: 'LOGIN',
        actorId: people.zhangSanId,
        ip: chrome.ip,
      })
        .lean()
        .exec(),
    ).toBeTruthy();
    expect(
      (await h.call(anonymous, ticketOps.read, { id: ticket.id, secret: ticketSecret })).data
        .loginTicket.status,
    ).toBe('REDEEMED');

    const consent = await h.call(identity, consentOp, { v: consentText.version });
    expect(consent.data.acceptConsent).toEqual({
      token: null,
      nextStep: 'COMPLETE_PROFILE',
      session: { method: 'SCAN', identityVerified: true },
    });
    expect(
      (await h.models.Lawyer.findById(people.zhangSanId).lean().exec())?.consent,
    ).toMatchObject({ version: consentText.version, acceptedAt: expect.any(Date) });

    // 完善信息 points to the verifier's bound phone (the lawyer registers now: nothing was registered on 12309 before) and prefills it (issue 15.10).
    const mismatch = await h.call(identity, profileOp, { input: { phone: '13900000009' } });
    expect(codes(mismatch)).toEqual(['PHONE_MISMATCH']);
    expect(mismatch.errors![0]!.message).toBe(
      `手机号码须与“中国律师身份核验”绑定的手机号码（${zhang.phone.slice(0, 3)}****${zhang.phone.slice(7)}）一致。如需更换，请在“中国律师身份核验”中重新绑定。`,
    );
    expect(
      (
        await h.call(
          identity,
          /* GraphQL */ `
            query {
              viewer {
                lawyer {
                  phone
                }
              }
            }
          `,
        )
      ).data.viewer.lawyer.phone,
    ).toBe(zhang.phone);
    expect(
      codes(
        await h.call(identity, profileOp, { input: { phone: zhang.phone, email: 'not-an-email' } }),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    const profile = await h.call(identity, profileOp, {
      input: { phone: zhang.phone, email: 'zhang@example.cn', address: '上海市黄浦区' },
    });
    expect(profile.data.completeProfile).toEqual({ token: null, nextStep: 'DONE' });
    expect(await h.models.Lawyer.findById(people.zhangSanId).lean().exec()).toMatchObject({
      registeredAt: expect.any(Date),
      email: 'zhang@example.cn',
      address: '上海市黄浦区',
    });
    expect(codes(await h.call(identity, profileOp, { input: { phone: zhang.phone } }))).toEqual([
      'ALREADY_REGISTERED',
    ]);

    const later = await scanLogin(h, zhang);
    expect(later.result.nextStep).toBe('DONE');
  });

  it('takes a registered lawyer on their first scan to 授权信息, then straight to 个人中心', async () => {
    await h.models.Lawyer.updateOne(
      { _id: people.liSiId },
      { $set: { registeredAt: new Date() } },
    ).exec();
    const first = await scanLogin(h, li);
    expect(first.result.nextStep).toBe('CONSENT');
    expect(codes(await h.call(first.identity, consentOp, { v: '1999-01' }))).toEqual([
      'CONSENT_OUTDATED',
    ]);
    expect(
      (await h.call(first.identity, consentOp, { v: consentText.version })).data.acceptConsent
        .nextStep,
    ).toBe('DONE');
    expect((await scanLogin(h, li)).result.nextStep).toBe('DONE');
  });

  it('refuses 授权信息 and 完善信息 to a session that is not identity-verified', async () => {
    const { identity } = await (async () => {
      const opened = await h.services.sessions.open({
        role: 'LAWYER',
        subjectId: people.wangWuId,
        method: 'SMS_CODE',
      });
      return { identity: (await h.services.sessions.resolve(opened.token))! };
    })();
    expect(codes(await h.call(identity, consentOp, { v: consentText.version }))).toEqual([
      'IDENTITY_VERIFICATION_REQUIRED',
    ]);
    expect(codes(await h.call(anonymous, consentOp, { v: consentText.version }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it("makes a relayed QR useless: without the creating browser's secret nobody reads or redeems the ticket", async () => {
    const victim = await newTicket(h);
    const attacker = await newTicket(h);
    await act(zhang, ticketOps.scan, 'scan', victim.qrPayload);
    await act(zhang, ticketOps.confirm, 'confirm', victim.qrPayload);

    for (const secret of [attacker.secret, '', victim.qrPayload, victim.secret.slice(0, -1)]) {
      expect(codes(await redeem(victim.id, secret))).toEqual(['TICKET_INVALID']);
      expect(codes(await h.call(anonymous, ticketOps.read, { id: victim.id, secret }))).toEqual([
        'TICKET_INVALID',
      ]);
    }
    expect(codes(await redeem(attacker.id, attacker.secret))).toEqual(['TICKET_NOT_CONFIRMED']);
    expect(codes(await redeem('unknown-ticket-id-0000000', victim.secret))).toEqual([
      'TICKET_INVALID',
    ]);
    expect((await redeem(victim.id, victim.secret)).data.redeemLoginTicket.token).toBeTruthy();
    expect(
      await h.models.AuditEvent.countDocuments({
        kind: 'LOGIN_FAILED',
        detail: /ticket secret/,
      }).exec(),
    ).toBeGreaterThanOrEqual(4);
  });

  it('redeems a ticket once, even when the browser asks ten times at once', async () => {
    const t = await newTicket(h);
    await act(zhang, ticketOps.scan, 'scan', t.qrPayload);
    await act(zhang, ticketOps.confirm, 'confirm', t.qrPayload);
    const results = await Promise.all(Array.from({ length: 10 }, () => redeem(t.id, t.secret)));
    expect(results.filter((r) => r.data?.redeemLoginTicket?.token)).toHaveLength(1);
    expect(results.flatMap(codes).sort()).toEqual(Array(9).fill('TICKET_USED'));
    expect(codes(await redeem(t.id, t.secret))).toEqual(['TICKET_USED']);
    expect(codes(await act(zhang, ticketOps.scan, 'scan', t.qrPayload))).toEqual(['TICKET_USED']);
  });

  it('fails a rejected ticket cleanly', async () => {
    const t = await newTicket(h);
    await act(zhang, ticketOps.scan, 'scan', t.qrPayload);
    expect(
      (await act(zhang, ticketOps.reject, 'reject', t.qrPayload)).data.rejectLoginTicket,
    ).toEqual({ id: t.id, status: 'REJECTED' });
    expect(codes(await redeem(t.id, t.secret))).toEqual(['TICKET_REJECTED']);
    expect(codes(await act(zhang, ticketOps.confirm, 'confirm', t.qrPayload))).toEqual([
      'TICKET_REJECTED',
    ]);
    expect(
      (await h.call(anonymous, ticketOps.read, { id: t.id, secret: t.secret })).data.loginTicket
        .status,
    ).toBe('REJECTED');
  });

  it('fails an expired ticket cleanly, at every step', async () => {
    const pending = await newTicket(h);
    const confirmed = await newTicket(h);
    await act(zhang, ticketOps.scan, 'scan', confirmed.qrPayload);
    await act(zhang, ticketOps.confirm, 'confirm', confirmed.qrPayload);
    h.clock.advance(h.config.LOGIN_TICKET_TTL_SECONDS + 1);
    expect(codes(await act(zhang, ticketOps.scan, 'scan', pending.qrPayload))).toEqual([
      'TICKET_EXPIRED',
    ]);
    expect(codes(await redeem(confirmed.id, confirmed.secret))).toEqual(['TICKET_EXPIRED']);
    expect(
      (await h.call(anonymous, ticketOps.read, { id: pending.id, secret: pending.secret })).data
        .loginTicket.status,
    ).toBe('EXPIRED');
  });

  it('lets only the device that scanned confirm, and only after a scan', async () => {
    const t = await newTicket(h);
    expect(codes(await act(zhang, ticketOps.confirm, 'confirm', t.qrPayload))).toEqual([
      'TICKET_NOT_SCANNED',
    ]);
    await act(zhang, ticketOps.scan, 'scan', t.qrPayload);
    expect(codes(await act(li, ticketOps.scan, 'scan', t.qrPayload))).toEqual(['TICKET_SCANNED']);
    expect(codes(await act(li, ticketOps.confirm, 'confirm', t.qrPayload))).toEqual([
      'TICKET_SCANNED',
    ]);
    expect(
      (await act(zhang, ticketOps.confirm, 'confirm', t.qrPayload)).data.confirmLoginTicket.status,
    ).toBe('CONFIRMED');
  });

  it('refuses forged, tampered, stale, replayed and unknown-device signatures', async () => {
    const t = await newTicket(h);
    const forger = { deviceId: zhang.deviceId, key: await newDeviceKey() };
    expect(codes(await act(forger, ticketOps.scan, 'scan', t.qrPayload))).toEqual([
      'SIGNATURE_INVALID',
    ]);

    const genuine = await signed(zhang, 'scan', t.qrPayload, h.clock.now());
    expect(
      codes(
        await h.call(anonymous, ticketOps.scan, {
          input: { ...genuine, signedAt: new Date(h.clock.now().getTime() + 1000).toISOString() },
        }),
      ),
    ).toEqual(['SIGNATURE_INVALID']);
    expect(
      codes(
        await h.call(anonymous, ticketOps.scan, {
          input: { ...genuine, signature: genuine.signature.slice(0, 80) },
        }),
      ),
    ).toEqual(['SIGNATURE_INVALID']);
    const asConfirm = await signed(zhang, 'scan', t.qrPayload, h.clock.now()); // a scan signature presented as a confirmation
    expect(codes(await h.call(anonymous, ticketOps.confirm, { input: asConfirm }))).toEqual([
      'TICKET_NOT_SCANNED',
    ]);

    const stale = new Date(
      h.clock.now().getTime() - (h.config.SIGNATURE_WINDOW_SECONDS + 5) * 1000,
    );
    expect(codes(await act(zhang, ticketOps.scan, 'scan', t.qrPayload, stale))).toEqual([
      'SIGNATURE_EXPIRED',
    ]);
    expect(
      codes(
        await act(
          { deviceId: 'no-such-device', key: zhang.key },
          ticketOps.scan,
          'scan',
          t.qrPayload,
        ),
      ),
    ).toEqual(['DEVICE_INVALID']);

    expect((await h.call(anonymous, ticketOps.scan, { input: genuine })).errors).toBeUndefined();
    expect(codes(await h.call(anonymous, ticketOps.scan, { input: genuine }))).toEqual([
      'SIGNATURE_REPLAYED',
    ]);
    const confirm = await signed(zhang, 'confirm', t.qrPayload, h.clock.now());
    expect((await h.call(anonymous, ticketOps.confirm, { input: confirm })).errors).toBeUndefined();
    expect(codes(await h.call(anonymous, ticketOps.confirm, { input: confirm }))).toEqual([
      'TICKET_USED',
    ]);
  });

  it('refuses a QR code that is not one of ours', async () => {
    for (const qr of ['https://example.com/login', 'yuejuan://login?id=short&nonce=x', '']) {
      expect(codes(await h.call(anonymous, scanContextQuery, { qr }))).toEqual(['QR_INVALID']);
    }
    const t = await newTicket(h);
    const wrongNonce = t.qrPayload.replace(/nonce=.*/, 'nonce=AAAAAAAAAAAAAAAA');
    expect(codes(await h.call(anonymous, scanContextQuery, { qr: wrongNonce }))).toEqual([
      'TICKET_INVALID',
    ]);
    expect(codes(await act(zhang, ticketOps.scan, 'scan', wrongNonce))).toEqual(['TICKET_INVALID']);
  });
});
