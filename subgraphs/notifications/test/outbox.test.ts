import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminIdentity, testLogger } from '@yuejuan/runtime/testing';
import { nativeCollection, type SmsQueueDoc } from '../src/models/index.ts';
import { ProviderError } from '../src/providers/index.ts';
import { createSender, type SenderOptions } from '../src/workers/sender.ts';
import { startFakeAliyun, type FakeAliyun } from '@yuejuan/testing/simulators';
import { startNotifications, until, type Harness } from './harness.ts';
import { aliyunEnv, aliyunKeys, zhangSanPhone } from './fixtures.ts';

const code = '493817';
const password = 'Xk7#pQ2v9';

describe('the SMS outbox: exactly-once effect, leases, retries', () => {
  let h: Harness;
  let aliyun: FakeAliyun;
  const logLines: string[] = [];

  beforeAll(async () => {
    aliyun = await startFakeAliyun(aliyunKeys);
    // No background sender here: each test drives its own senders.
    h = await startNotifications('notifications_outbox', {
      logLines,
      env: { ...aliyunEnv(aliyun.url), NOTIFICATIONS_WORKERS: 'false', SMS_RATE_LIMITS: 'off' },
    });
  });
  beforeEach(() => {
    aliyun.failNext(0);
  });
  afterAll(async () => {
    await h?.stop();
    await aliyun?.close();
  });

  const sender = (overrides: Partial<SenderOptions> = {}) =>
    createSender({
      models: h.models,
      provider: h.services.provider,
      contacts: null,
      logger: testLogger('sender', logLines),
      signName: '12309中国检察网',
      leaseMs: 2500,
      providerTimeoutMs: 1000,
      maxAttempts: 4,
      backoffBaseMs: 100,
      backoffCapMs: 1000,
      pollMs: 20,
      concurrency: 4,
      ...overrides,
    });
  const queue = async (
    dedupeKey: string,
    kind = 'LOGIN_CODE',
    variables: Record<string, string> = { code },
  ) => {
    const res = await h.sms({ to: { phone: zhangSanPhone }, kind, variables, dedupeKey });
    expect(res.status).toBe(202);
    return res.body.messageId as string;
  };
  /** The message as administrators see it: settled, or still its queue item. */
  const message = (id: string) => h.services.outbox.get(id);
  const queueItem = (id: string) => h.models.SmsQueue.findById(id).lean<SmsQueueDoc>().exec();

  it('a sender killed between claim and send: the message is sent once, by the next sender, after the lease', async () => {
    const id = await queue('killed-1');
    const dead = sender({ senderId: 'dead' });
    const claimed = await dead.claim((await queueItem(id))!); // …and the process dies here
    expect(claimed).toMatchObject({ attempt: 1 });
    expect(await h.models.SmsLease.findById(`${id}:attempt:1`).lean().exec()).toMatchObject({
      sender: 'dead',
    });
    expect(await message(id)).toMatchObject({ status: 'QUEUED', attempts: 0 }); // a claim writes nothing else
    expect(await h.models.SmsMessage.findById(id).lean().exec()).toBeNull(); // settled messages only

    const live = sender({ senderId: 'live' });
    expect(await live.tick()).toBe(0); // the lease still holds
    expect(aliyun.byOutId.get(id)).toBeUndefined();

    await until(async () => (await live.tick()) > 0, 5000);
    expect(Date.now()).toBeGreaterThanOrEqual(claimed!.expiresAt.getTime());
    expect(aliyun.byOutId.get(id)).toBe(1);
    expect(await message(id)).toMatchObject({
      status: 'SENT',
      attempts: 2,
      provider: 'aliyun',
      lastError: null,
    });
    expect(await queueItem(id)).toBeNull();
    expect(await h.models.SmsLease.findById(`${id}:attempt:2`).lean().exec()).toMatchObject({
      sender: 'live',
    });

    expect(await dead.tick()).toBe(0); // a late sender finds nothing to send
    expect(aliyun.byOutId.get(id)).toBe(1);
  });

  it('concurrent senders send each message exactly once', async () => {
    const ids = await Promise.all(
      Array.from({ length: 12 }, (_, i) => queue(`race-${i}`, 'DOCUMENT_PASSWORD', { password })),
    );
    const senders = [
      sender({ leaseMs: 10_000 }),
      sender({ leaseMs: 10_000 }),
      sender({ leaseMs: 10_000 }),
    ];
    // (A provider timeout is an unknown outcome and is retried; the generous timeout here keeps
    // a loaded test machine from producing one.)
    await until(async () => {
      await Promise.all(senders.map((s) => s.tick()));
      return (
        (await h.models.SmsMessage.countDocuments({ _id: { $in: ids }, status: 'SENT' }).exec()) ===
        ids.length
      );
    });
    expect(ids.map((id) => aliyun.byOutId.get(id))).toEqual(ids.map(() => 1));
  });

  it('many messages in flight at once in two sender processes: every message reaches the provider exactly once', async () => {
    const ids = await Promise.all(
      Array.from({ length: 60 }, (_, i) => queue(`inflight-${i}`, 'LOGIN_CODE', { code })),
    );
    let inFlight = 0;
    let mostInFlight = 0;
    const slow: SenderOptions['provider'] = {
      name: 'aliyun',
      send: async (sms, signal) => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        try {
          await new Promise((r) => setTimeout(r, 30)); // a provider answering slowly keeps sends overlapping
          return await h.services.provider.send(sms, signal);
        } finally {
          inFlight--;
        }
      },
    };
    const senders = [
      sender({ provider: slow, concurrency: 8, leaseMs: 10_000 }),
      sender({ provider: slow, concurrency: 8, leaseMs: 10_000 }),
    ];
    for (const s of senders) s.start();
    try {
      await until(
        async () =>
          (await h.models.SmsMessage.countDocuments({
            _id: { $in: ids },
            status: 'SENT',
          }).exec()) === ids.length,
        20_000,
      );
    } finally {
      await Promise.all(senders.map((s) => s.stop()));
    }
    expect(ids.map((id) => aliyun.byOutId.get(id))).toEqual(ids.map(() => 1));
    expect(aliyun.attempts.filter((a) => ids.includes(a.outId))).toHaveLength(ids.length); // no second call, not even a refused one
    expect(mostInFlight).toBeGreaterThan(1);
    expect(await h.models.SmsQueue.countDocuments({ _id: { $in: ids } }).exec()).toBe(0);
    const won = await h.models.SmsLease.find({ _id: { $in: ids.map((id) => `${id}:attempt:1`) } })
      .lean()
      .exec();
    expect(won).toHaveLength(ids.length); // each sent on its first claim
  });

  it('a queue item left behind by a sender that died after recording SENT: discarded by the next sender, not sent again', async () => {
    const id = await queue('left-behind-1');
    const dead = sender({ senderId: 'dead-after-send', leaseMs: 400, providerTimeoutMs: 100 });
    expect(await dead.claim((await queueItem(id))!)).toMatchObject({ attempt: 1 });
    // It sent, recorded the outcome, and died before deleting its queue item.
    const pending = (await message(id))!;
    await nativeCollection(h.models.SmsMessage).insertOne({
      ...pending,
      _id: id as never,
      status: 'SENT',
      attempts: 1,
      sentAt: new Date(),
    });
    const calls = aliyun.attempts.length;

    const live = sender({ senderId: 'after', leaseMs: 400, providerTimeoutMs: 100 });
    await until(async () => {
      await live.tick();
      return (await queueItem(id)) === null;
    }, 5000);
    expect(aliyun.attempts.length).toBe(calls);
    expect(await message(id)).toMatchObject({ status: 'SENT', attempts: 1 });
  });

  it('a provider failing twice: retried with exponential backoff, then sent', async () => {
    aliyun.failNext(2, 'isp.SYSTEM_ERROR');
    const id = await queue('flaky-1');
    const s = sender();
    s.start();
    try {
      await until(async () => (await message(id))?.status === 'SENT');
    } finally {
      await s.stop();
    }
    const tries = aliyun.attempts.filter((a) => a.outId === id);
    expect(tries.map((t) => t.code)).toEqual(['isp.SYSTEM_ERROR', 'isp.SYSTEM_ERROR', 'OK']);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(100); // base
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(200); // base·2
    expect(await message(id)).toMatchObject({ status: 'SENT', attempts: 3, lastError: null });
    const retries = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.messageId === id && l.msg === 'sms attempt failed; will retry');
    expect(retries.map((l) => l.retryInMs)).toEqual([100, 200]);
  });

  it('a provider that keeps failing: FAILED after the cap with its error, secrets removed, visible to administrators', async () => {
    aliyun.failNext(10, 'isv.BUSINESS_LIMIT_CONTROL');
    const id = await queue('cap-1');
    const s = sender({ maxAttempts: 3 });
    s.start();
    try {
      await until(async () => (await message(id))?.status === 'FAILED');
    } finally {
      await s.stop();
    }
    expect(aliyun.attempts.filter((a) => a.outId === id)).toHaveLength(3);
    const failed = await message(id);
    expect(failed).toMatchObject({
      attempts: 3,
      lastError: expect.stringMatching(/^isv\.BUSINESS_LIMIT_CONTROL: 触发服务商流控/),
    });
    expect(failed).not.toHaveProperty('secrets');
    expect(await queueItem(id)).toBeNull();

    const listed = await h.call(
      adminIdentity(),
      /* GraphQL */ `
        query {
          smsMessages(filter: { status: FAILED }) {
            edges {
              node {
                id
                status
                attempts
                lastError
                provider
                failedAt
              }
            }
          }
        }
      `,
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data.smsMessages.edges.map((e: { node: unknown }) => e.node)).toContainEqual({
      id,
      status: 'FAILED',
      attempts: 3,
      lastError: failed!.lastError,
      provider: 'aliyun',
      failedAt: failed!.failedAt!.toISOString(),
    });
  });

  it('a permanent provider error fails the message at once', async () => {
    aliyun.failNext(1, 'isv.MOBILE_NUMBER_ILLEGAL');
    const id = await queue('permanent-1');
    await sender().tick();
    expect(await message(id)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastError: expect.stringMatching(/^isv\.MOBILE_NUMBER_ILLEGAL/),
    });
  });

  it('codes and passwords are kept only until sent, and never reach a log line', async () => {
    const codeId = await queue('secret-code', 'LOGIN_CODE', { code, expiresInMinutes: '5' });
    // As reading sends it: an ISO expiry (shown as Beijing time) and the case's name.
    const packageId = await queue('secret-password', 'PACKAGE_READY', {
      password,
      expiresAt: '2025-07-01T10:00:00.000Z',
      caseName: '张某某盗窃案',
    });
    // Needed until sent, so kept in the queue item only, never in the stored message.
    expect((await queueItem(codeId))!.payload).toMatchObject({ secrets: { code } });
    expect((await queueItem(packageId))!.payload).toMatchObject({ secrets: { password } });
    expect(JSON.stringify(await message(codeId))).not.toContain(code);
    expect(JSON.stringify(await message(packageId))).not.toContain(password);

    await sender().tick();

    expect(aliyun.sent.find((s) => s.outId === codeId)?.params).toEqual({
      code,
      expiresInMinutes: '5',
    });
    expect(aliyun.sent.find((s) => s.outId === packageId)?.params).toEqual({
      caseName: '张某某盗窃案',
      password,
      expiresAt: '2025-07-01 18:00',
    });
    for (const id of [codeId, packageId]) {
      const stored = await message(id);
      expect(stored).toMatchObject({ status: 'SENT' });
      expect(stored).not.toHaveProperty('secrets');
      expect(await queueItem(id)).toBeNull();
      expect(JSON.stringify(stored)).not.toContain(code);
      expect(JSON.stringify(stored)).not.toContain(password);
    }
    // A provider that echoes a parameter in its error: the stored error blanks it out.
    const echoId = await queue('secret-echo', 'LOGIN_CODE', { code });
    const echoing = sender({
      provider: {
        name: 'aliyun',
        send: async (sms) => {
          throw new ProviderError(
            'isv.INVALID_PARAMETERS',
            `参数 code=${sms.params[0]!.value} 非法`,
            false,
          );
        },
      },
    });
    await echoing.tick();
    expect(await message(echoId)).toMatchObject({
      status: 'FAILED',
      lastError: 'isv.INVALID_PARAMETERS: 参数 code=*** 非法',
    });
    expect(await message(echoId)).not.toHaveProperty('secrets');

    expect(logLines.some((l) => l.includes('"sms sent"'))).toBe(true);
    expect(logLines.some((l) => l.includes('"sms queued"'))).toBe(true);
    for (const line of logLines) {
      expect(line).not.toContain(code);
      expect(line).not.toContain(password);
    }
  });
});
