import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callInternal, mintInternalToken } from '@yuejuan/runtime';
import { testSecrets } from '@yuejuan/runtime/testing';
import { startFakeIdentity, type FakeIdentity } from './fakes/identity.ts';
import { startNotifications, until, type Harness } from './harness.ts';
import { contacts, liSiId, liSiPhone, wangId, wangLiuId, zhangSan } from './fixtures.ts';

const loginCode = (phone: string, dedupeKey: string, code = '493817') => ({
  to: { phone },
  kind: 'LOGIN_CODE',
  variables: { code },
  dedupeKey,
});

/** Keeps a test off a minute boundary, where a fixed one-minute window would reset under it. */
const clearOfMinuteBoundary = async () => {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5000) await new Promise((r) => setTimeout(r, left + 50));
};

describe('POST /internal/sms', () => {
  let h: Harness;
  let identity: FakeIdentity;

  beforeAll(async () => {
    const secrets = testSecrets();
    identity = await startFakeIdentity({ secret: secrets.internal, contacts });
    h = await startNotifications('notifications_internal_sms', {
      secrets,
      env: { IDENTITY_INTERNAL_URL: identity.url, SMS_RATE_LIMITS: '60:2,86400:5' },
    });
  });
  afterAll(async () => {
    await h?.stop();
    await identity?.close();
  });

  /**
   * Messages matching `filter`, settled or still queued (a queued message is its queue item).
   * The queue is read first and ids are joined: a message is settled before its queue item is
   * deleted, so one that moves between the two reads is seen at least once, and counted once.
   */
  const messages = async (filter: { dedupeKey?: unknown; phone?: string }) => {
    const queued = {
      ...(filter.dedupeKey ? { dedupeKey: filter.dedupeKey } : {}),
      ...(filter.phone ? { 'payload.phone': filter.phone } : {}),
    };
    const ids = new Set(
      (await h.models.SmsQueue.find(queued, { _id: 1 }).lean().exec()).map((d) => String(d._id)),
    );
    for (const d of await h.models.SmsMessage.find(filter as Record<string, unknown>, { _id: 1 })
      .lean()
      .exec())
      ids.add(String(d._id));
    return ids.size;
  };

  it('queues an SMS (202 with its id) that the development sink receives with the template text', async () => {
    const res = await h.sms(loginCode('13700000001', 'identity:login:1'));
    expect(res).toEqual({ status: 202, body: { messageId: expect.any(String) } });
    const inbox = await until(() => h.models.DevSms.findById(res.body.messageId).lean().exec());
    expect(inbox).toMatchObject({
      phone: '13700000001',
      kind: 'LOGIN_CODE',
      text: '【12309中国检察网】您的登录验证码为493817，5分钟内有效。如非本人操作，请忽略本短信。',
    });
    const sent = await until(async () => {
      const m = await h.models.SmsMessage.findById(res.body.messageId).lean().exec();
      return m?.status === 'SENT' ? m : null;
    });
    expect(sent).toMatchObject({
      source: 'INTERNAL',
      dedupeKey: 'sms:identity:login:1',
      phone: '13700000001',
      kind: 'LOGIN_CODE',
    });
  });

  it('answers the same message for a dedupe key seen before, without counting it against the limit', async () => {
    const first = await h.sms(loginCode('13700000002', 'identity:login:2'));
    const slots = await h.models.RateSlot.countDocuments({}).exec();
    const again = await Promise.all([
      h.sms(loginCode('13700000002', 'identity:login:2', '111111')),
      h.sms(loginCode('13700000002', 'identity:login:2', '222222')),
    ]);
    expect(again.map((r) => r.body.messageId)).toEqual([
      first.body.messageId,
      first.body.messageId,
    ]);
    expect(await messages({ dedupeKey: 'sms:identity:login:2' })).toBe(1);
    expect(await h.models.RateSlot.countDocuments({}).exec()).toBe(slots);
  });

  it('finds the phone of a recipient through identity’s contacts', async () => {
    const res = await h.sms(
      {
        to: { recipientId: liSiId, role: 'LAWYER' },
        kind: 'DOCUMENT_PASSWORD',
        variables: { password: 'Qw3rty!9' },
        dedupeKey: 'reading:pkg-1:doc',
      },
      'reading',
    );
    expect(res.status).toBe(202);
    expect(await h.services.outbox.get(res.body.messageId)).toMatchObject({
      phone: liSiPhone,
      recipientId: liSiId,
      recipientRole: 'LAWYER',
    });
    expect(identity.calls).toContainEqual({ path: '/internal/contacts', body: { ids: [liSiId] } });
  });

  it('refuses bad requests with 400 BAD_USER_INPUT, never echoing a value', async () => {
    const bad = [
      { ...loginCode('13700000003', 'k1'), kind: 'NO_SUCH_KIND' },
      { ...loginCode('13700000003', 'k2'), kind: 'NEW_APPLICATION' },
      { ...loginCode('13700000003', 'k3'), variables: {} },
      { ...loginCode('13700000003', 'k4'), variables: { code: 'abc-secret-x' } },
      { ...loginCode('13700000003', 'k5'), variables: { code: '123456', extra: 'x' } },
      loginCode('23700000003', 'k6'),
      { to: { phone: '13700000003' }, kind: 'LOGIN_CODE', variables: { code: '123456' } },
      {
        to: { recipientId: wangLiuId, role: 'LAWYER' },
        kind: 'LOGIN_CODE',
        variables: { code: '123456' },
        dedupeKey: 'k7',
      },
      {
        to: { recipientId: wangId, role: 'LAWYER' },
        kind: 'LOGIN_CODE',
        variables: { code: '123456' },
        dedupeKey: 'k8',
      },
      {
        to: { recipientId: 'nobody', role: 'LAWYER' },
        kind: 'LOGIN_CODE',
        variables: { code: '123456' },
        dedupeKey: 'k9',
      },
    ];
    for (const body of bad) {
      const res = await h.sms(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual({ code: 'BAD_USER_INPUT', message: expect.any(String) });
      expect(res.body.message).not.toContain('abc-secret-x');
    }
    expect(
      await messages({
        dedupeKey: {
          $in: ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9'].map((k) => `sms:${k}`),
        },
      }),
    ).toBe(0);
  });

  it('answers a malformed body with 400 without echoing it; a caller without a token learns nothing', async () => {
    const token = await mintInternalToken(h.secrets.internal, 'notifications', {
      role: 'SERVICE',
      service: 'identity',
    });
    const garbled =
      '{"to":{"phone":"13700000009"},"kind":"LOGIN_CODE","variables":{"code":"864209"';
    const res = await fetch(`${h.baseUrl}/internal/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-token': token },
      body: garbled,
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      code: 'BAD_USER_INPUT',
      message: '请求体不是有效的 JSON。',
    });
    expect(text).not.toContain('864209');
    const anonymousGarbled = await fetch(`${h.baseUrl}/internal/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: garbled,
    });
    expect(anonymousGarbled.status).toBe(401);
  });

  it('answers 503 when identity cannot be reached for a recipient', async () => {
    identity.setDown(true);
    try {
      const res = await h.sms({
        to: { recipientId: liSiId, role: 'LAWYER' },
        kind: 'LOGIN_CODE',
        variables: { code: '123456' },
        dedupeKey: 'down-1',
      });
      expect(res).toMatchObject({ status: 503, body: { code: 'SERVICE_UNAVAILABLE' } });
    } finally {
      identity.setDown(false);
    }
  });

  it('accepts only another service: 401 without a token, 403 with a user’s token', async () => {
    const noToken = await fetch(`${h.baseUrl}/internal/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(loginCode('13700000004', 'x1')),
    });
    expect(noToken.status).toBe(401);
    const userToken = await mintInternalToken(h.secrets.internal, 'notifications', zhangSan);
    const asUser = await fetch(`${h.baseUrl}/internal/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-token': userToken },
      body: JSON.stringify(loginCode('13700000004', 'x2')),
    });
    expect(asUser.status).toBe(403);
    const otherAudience = await callInternal(
      { baseUrl: h.baseUrl, audience: 'identity', service: 'reading', secret: h.secrets.internal },
      '/internal/sms',
      loginCode('13700000004', 'x3'),
    );
    expect(otherAudience.status).toBe(401);
    expect(await messages({ dedupeKey: { $in: ['sms:x1', 'sms:x2', 'sms:x3'] } })).toBe(0);
  });

  it('trips the per-phone rate limit: 429 RATE_LIMITED with retryAfterSeconds; other phones unaffected', async () => {
    await clearOfMinuteBoundary();
    expect((await h.sms(loginCode('13700000005', 'rl-1'))).status).toBe(202);
    expect((await h.sms(loginCode('13700000005', 'rl-2'))).status).toBe(202);
    const refused = await h.sms(loginCode('13700000005', 'rl-3'));
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('秒后再试'),
      retryAfterSeconds: expect.any(Number),
    });
    expect(refused.body.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.body.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await messages({ dedupeKey: 'sms:rl-3' })).toBe(0);
    expect((await h.sms(loginCode('13700000006', 'rl-4'))).status).toBe(202);
    // Only codes are limited: a package password to the same phone still goes out.
    const password = await h.sms(
      {
        to: { phone: '13700000005' },
        kind: 'DOCUMENT_PASSWORD',
        variables: { password: 'Qw3rty!9', caseName: '李某诈骗案' },
        dedupeKey: 'rl-5',
      },
      'reading',
    );
    expect(password.status).toBe(202);
  });

  it('a burst of concurrent requests gets exactly the limit through (slots are unique inserts)', async () => {
    await clearOfMinuteBoundary();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.sms(loginCode('13700000007', `burst-${i}`))),
    );
    expect(answers.filter((a) => a.status === 202)).toHaveLength(2);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(8);
    expect(await messages({ phone: '13700000007' })).toBe(2);
  });

  it('counts fixed windows, shortest first, and says when the fullest reopens', async () => {
    const limiter = h.services.limiter;
    const t0 = new Date('2030-01-01T00:00:10Z');
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    expect(await limiter.take('13700000008', at(0))).toEqual({ ok: true });
    expect(await limiter.take('13700000008', at(1))).toEqual({ ok: true });
    expect(await limiter.take('13700000008', at(2))).toEqual({
      ok: false,
      retryAfterSeconds: 48,
      windowSeconds: 60,
    });
    for (const s of [60, 61, 120])
      expect(await limiter.take('13700000008', at(s))).toEqual({ ok: true });
    expect(await limiter.take('13700000008', at(180))).toEqual({
      ok: false,
      retryAfterSeconds: 86400 - 190,
      windowSeconds: 86400,
    });
    expect(await limiter.sweep(at(86400 * 2))).toBeGreaterThanOrEqual(7);
  });
});
