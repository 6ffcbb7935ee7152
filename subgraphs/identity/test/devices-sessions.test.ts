import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { codes, startIdentity, type Harness } from './harness.ts';
import { liSi, seedPeople, zhangSan, type People } from './fixtures.ts';
import { activate, newTicket, scanLogin, signed, ticketOps, type Verifier } from './verifier.ts';

const devicesQuery = /* GraphQL */ `
  query D($id: ID!) {
    lawyer(id: $id) {
      devices {
        id
        name
        activatedAt
        lastUsedAt
        revokedAt
      }
    }
  }
`;
const revoke = /* GraphQL */ `
  mutation R($id: ID!) {
    revokeDevice(id: $id) {
      id
      revokedAt
    }
  }
`;
const renew = /* GraphQL */ `
  mutation {
    renewSession {
      token
      session {
        id
        method
        identityVerified
        expiresAt
      }
    }
  }
`;

describe('verifier devices and sessions', () => {
  let h: Harness;
  let people: People;
  let phone: Verifier;
  let tablet: Verifier;
  let li: Verifier;

  beforeAll(async () => {
    h = await startIdentity('identity_devices', {
      env: { SESSION_TTL_SECONDS: '600', SESSION_MAX_LIFETIME_SECONDS: '1500' },
    });
    people = await seedPeople(h);
    phone = await activate(h, zhangSan, '13200000001', 'Huawei Mate 60');
    h.clock.advance(61);
    tablet = await activate(h, zhangSan, '13200000001', 'iPad');
    li = await activate(h, liSi, '13200000002');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("lists a lawyer's devices, newest first, with when each was last used", async () => {
    await scanLogin(h, phone);
    const r = await h.call((await scanLogin(h, tablet)).identity, devicesQuery, {
      id: people.zhangSanId,
    });
    expect(r.data.lawyer.devices.map((d: { name: string }) => d.name)).toEqual([
      'iPad',
      'Huawei Mate 60',
    ]);
    expect(
      r.data.lawyer.devices.every(
        (d: { lastUsedAt: string | null; revokedAt: string | null }) =>
          d.lastUsedAt && !d.revokedAt,
      ),
    ).toBe(true);
  });

  it('revokes a device: the sessions it confirmed end at once, and it signs nothing more', async () => {
    const viaPhone = await scanLogin(h, phone);
    const viaTablet = await scanLogin(h, tablet);
    const r = await h.call(viaTablet.identity, revoke, { id: phone.deviceId });
    expect(r.data.revokeDevice).toEqual({ id: phone.deviceId, revokedAt: expect.any(String) });
    expect(await h.services.sessions.resolve(viaPhone.token, h.clock.now())).toBeNull();
    expect(await h.services.sessions.resolve(viaTablet.token, h.clock.now())).toMatchObject({
      lawyerId: people.zhangSanId,
    });
    expect(
      await h.models.AuditEvent.findOne({ kind: 'DEVICE_REVOKED', actorId: people.zhangSanId })
        .lean()
        .exec(),
    ).toBeTruthy();

    const t = await newTicket(h);
    expect(
      codes(
        await h.call(anonymous, ticketOps.scan, {
          input: await signed(phone, 'scan', t.qrPayload, h.clock.now()),
        }),
      ),
    ).toEqual(['DEVICE_INVALID']);
    expect(
      (await h.call(viaTablet.identity, revoke, { id: phone.deviceId })).data.revokeDevice
        .revokedAt,
    ).toBe(r.data.revokeDevice.revokedAt);
  });

  it('refuses to redeem a ticket confirmed by a device revoked before the redemption', async () => {
    h.clock.advance(61); // the SMS resend interval of the phone
    const device = await activate(h, liSi, '13200000002', 'Old phone');
    const t = await newTicket(h);
    await h.call(anonymous, ticketOps.scan, {
      input: await signed(device, 'scan', t.qrPayload, h.clock.now()),
    });
    await h.call(anonymous, ticketOps.confirm, {
      input: await signed(device, 'confirm', t.qrPayload, h.clock.now()),
    });
    const owner = await h.services.sessions.open({
      role: 'LAWYER',
      subjectId: people.liSiId,
      method: 'SCAN',
    });
    await h.call((await h.services.sessions.resolve(owner.token))!, revoke, {
      id: device.deviceId,
    });
    expect(
      codes(await h.call(anonymous, ticketOps.redeem, { id: t.id, secret: t.secret })),
    ).toEqual(['DEVICE_INVALID']);
  });

  it("refuses to revoke another lawyer's device, or revoke without a lawyer session", async () => {
    const { identity } = await scanLogin(h, tablet);
    expect(codes(await h.call(identity, revoke, { id: li.deviceId }))).toEqual(['NOT_FOUND']);
    expect(codes(await h.call(anonymous, revoke, { id: tablet.deviceId }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(await h.models.Device.findById(li.deviceId).lean().exec()).toBeTruthy();
  });

  it('renews a session once: a new token, the old one ends, the verified window is not extended', async () => {
    const login = await scanLogin(h, tablet);
    const before = await h.models.Session.findOne({ sessionId: login.result.session.id })
      .lean()
      .exec();
    h.clock.advance(60);
    const renewed = await h.call(login.identity, renew);
    expect(renewed.errors).toBeUndefined();
    const { token, session } = renewed.data.renewSession;
    expect(token).not.toBe(login.token);
    expect(session).toMatchObject({ method: 'SCAN', identityVerified: true });
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(before!.expiresAt.getTime());
    expect(await h.services.sessions.resolve(login.token, h.clock.now())).toBeNull();
    const after = await h.models.Session.findOne({ sessionId: session.id }).lean().exec();
    expect(after).toMatchObject({
      verifiedUntil: before!.verifiedUntil,
      startedAt: before!.startedAt,
      deviceId: tablet.deviceId,
    });
    expect(codes(await h.call(login.identity, renew))).toEqual(['SESSION_RENEWED']);
    expect(codes(await h.call(anonymous, renew))).toEqual(['UNAUTHENTICATED']);
  });

  it('stops renewing at the maximum lifetime, and an unrenewed session ends at its expiry', async () => {
    const login = await scanLogin(h, tablet);
    let { identity, token } = login;
    for (let i = 0; i < 2; i++) {
      h.clock.advance(500);
      const r = await h.call(identity, renew);
      expect(r.errors).toBeUndefined();
      token = r.data.renewSession.token;
      identity = (await h.services.sessions.resolve(token, h.clock.now()))!;
    }
    h.clock.advance(500);
    expect(codes(await h.call(identity, renew))).toEqual(['SESSION_RENEWAL_EXPIRED']);
    expect(await h.services.sessions.resolve(token, h.clock.now())).toMatchObject({
      lawyerId: people.zhangSanId,
    });
    h.clock.advance(101);
    expect(await h.services.sessions.resolve(token, h.clock.now())).toBeNull();
  });

  it('records a logout in the audit trail', async () => {
    const login = await scanLogin(h, tablet);
    expect(
      (
        await h.call(
          login.identity,
          /* GraphQL */ `
            mutation {
              logout
            }
          `,
          {},
          { ip: '192.0.2.77' },
        )
      ).data,
    ).toEqual({ logout: true });
    expect(
      await h.models.AuditEvent.findOne({
        kind: 'LOGOUT',
        actorId: people.zhangSanId,
        ip: '192.0.2.77',
      })
        .lean()
        .exec(),
    ).toBeTruthy();
  });
});
