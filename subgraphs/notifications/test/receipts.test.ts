import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminIdentity } from '@yuejuan/runtime/testing';
import { startFakeAliyun, type FakeAliyun } from '@yuejuan/testing/simulators';
import { startFakeTencent, type FakeTencent } from './fakes/tencent.ts';
import { codes, startNotifications, until, type Harness } from './harness.ts';
import { aliyunEnv, aliyunKeys, receiptToken, tencentEnv, tencentKeys } from './fixtures.ts';

const sendAndWait = async (h: Harness, dedupeKey: string, phone: string) => {
  const res = await h.sms({
    to: { phone },
    kind: 'LOGIN_CODE',
    variables: { code: '654321' },
    dedupeKey,
  });
  expect(res.status).toBe(202);
  const id = res.body.messageId as string;
  await until(
    async () => (await h.models.SmsMessage.findById(id).lean().exec())?.status === 'SENT',
  );
  return id;
};
const report = (outId: string, success: boolean) => ({
  phone_number: '13600000001',
  send_time: '2025-06-01 10:00:00',
  report_time: '2025-06-01 10:00:05',
  success,
  err_code: success ? 'DELIVERED' : 'MK:0001',
  err_msg: success ? '用户接收成功' : '用户关机',
  sms_size: '1',
  biz_id: 'biz-1',
  out_id: outId,
});

describe('delivery receipts: Alibaba Cloud by push, Tencent Cloud by polling', () => {
  let aliyun: FakeAliyun;
  let tencent: FakeTencent;
  let ha: Harness;
  let ht: Harness;

  beforeAll(async () => {
    aliyun = await startFakeAliyun(aliyunKeys);
    tencent = await startFakeTencent(tencentKeys);
    ha = await startNotifications('notifications_receipts_a', { env: aliyunEnv(aliyun.url) });
    ht = await startNotifications('notifications_receipts_t', {
      env: { ...tencentEnv(tencent.url), SMS_TENCENT_RECEIPT_POLL_MS: '100' },
    });
  });
  afterAll(async () => {
    await ha?.stop();
    await ht?.stop();
    await aliyun?.close();
    await tencent?.close();
  });

  const push = (body: unknown, token = receiptToken) =>
    fetch(`${ha.baseUrl}/receipts/aliyun?token=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('Alibaba Cloud’s SmsReport push marks messages DELIVERED, or FAILED with the carrier’s reason', async () => {
    const delivered = await sendAndWait(ha, 'r-a-1', '13600000001');
    const lost = await sendAndWait(ha, 'r-a-2', '13600000002');
    const res = await push([
      report(delivered, true),
      report(lost, false),
      report('unknown-id', true),
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code: 0, msg: '成功' });
    expect(await ha.models.SmsMessage.findById(delivered).lean().exec()).toMatchObject({
      status: 'DELIVERED',
      deliveredAt: new Date('2025-06-01T02:00:05Z'),
    });
    expect(await ha.models.SmsMessage.findById(lost).lean().exec()).toMatchObject({
      status: 'FAILED',
      lastError: 'DELIVERY_FAILED: MK:0001 用户关机',
    });

    const listed = await ha.call(
      adminIdentity(),
      /* GraphQL */ `
        query {
          smsMessages(filter: { status: DELIVERED }) {
            edges {
              node {
                id
                deliveredAt
                provider
              }
            }
          }
        }
      `,
    );
    expect(listed.data.smsMessages.edges).toEqual([
      { node: { id: delivered, deliveredAt: '2025-06-01T02:00:05.000Z', provider: 'aliyun' } },
    ]);
  });

  it('refuses a push without the shared token, and never moves a message backwards', async () => {
    const id = await sendAndWait(ha, 'r-a-3', '13600000003');
    expect((await push([report(id, false)], 'wrong-token-0123456789')).status).toBe(401);
    expect((await ha.models.SmsMessage.findById(id).lean().exec())?.status).toBe('SENT');
    await push([report(id, true)]);
    await push([report(id, false)]); // a late, contradicting report
    expect((await ha.models.SmsMessage.findById(id).lean().exec())?.status).toBe('DELIVERED');
  });

  it('Tencent Cloud’s reports are pulled and applied', async () => {
    const id = await sendAndWait(ht, 'r-t-1', '13600000004');
    tencent.report(id, true);
    const done = await until(async () => {
      const m = await ht.models.SmsMessage.findById(id).lean().exec();
      return m?.status === 'DELIVERED' ? m : null;
    });
    expect(done.deliveredAt).toBeInstanceOf(Date);
    expect(done.providerMessageId).toBe(
      tencent.sent.find((s) => s.sessionContext === id)?.serialNo,
    );
  });

  it('the development SMS inbox is closed when a real provider is configured', async () => {
    const res = await ha.call(
      adminIdentity(),
      /* GraphQL */ `
        query {
          devSmsInbox {
            id
          }
        }
      `,
    );
    expect(codes(res)).toEqual(['FORBIDDEN']);
  });
});
