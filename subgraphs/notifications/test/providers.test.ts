import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliyunError, createAliyunProvider } from '../src/providers/aliyun.ts';
import { createTencentProvider, tencentError } from '../src/providers/tencent.ts';
import { ProviderError, type OutgoingSms } from '../src/providers/index.ts';
import { startFakeAliyun, type FakeAliyun } from '@yuejuan/testing/simulators';
import { startFakeTencent, type FakeTencent } from './fakes/tencent.ts';
import { aliyunKeys, templateIds, tencentKeys } from './fixtures.ts';

// Values that exercise the signature's encoding: Chinese, spaces, and the characters
// encodeURIComponent leaves alone but RFC 3986 encodes (!'()*), plus ~ which it keeps.
const rejected: OutgoingSms = {
  messageId: 'msg-0001',
  phone: '13800000001',
  kind: 'BINDING_REJECTED',
  params: [{ name: 'reason', value: "缺少授权委托书 (原件)*~'!" }],
  text: '【12309中国检察网】…',
};
const packageReady: OutgoingSms = {
  messageId: 'msg-0002',
  phone: '13800000002',
  kind: 'PACKAGE_READY',
  params: [
    { name: 'password', value: 'Ab3$xy+Z/=' },
    { name: 'expiresAt', value: '2025-07-01' },
  ],
  text: '【12309中国检察网】…',
};
const signal = () => AbortSignal.timeout(2000);
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as ProviderError,
  );

describe('Alibaba Cloud SMS adapter against a local fake that checks the HMAC-SHA1 signature', () => {
  let fake: FakeAliyun;
  let slow: FakeAliyun;
  beforeAll(async () => {
    fake = await startFakeAliyun(aliyunKeys);
    slow = await startFakeAliyun(aliyunKeys, { delayMs: 300 });
  });
  afterAll(async () => {
    await fake?.close();
    await slow?.close();
  });
  const adapter = (endpoint: string, secret = aliyunKeys.accessKeySecret) =>
    createAliyunProvider({
      endpoint,
      accessKeyId: aliyunKeys.accessKeyId,
      accessKeySecret: secret,
      signName: '12309中国检察网',
      templateIds,
    });

  it('sends with a signature the fake accepts: template code, sign name, parameters and our id as OutId', async () => {
    const a = await adapter(fake.url).send(rejected, signal());
    const b = await adapter(fake.url).send(packageReady, signal());
    expect(fake.refusedSignatures).toBe(0);
    expect(a.providerMessageId).toMatch(/^biz-/);
    expect(b.providerMessageId).toMatch(/^biz-/);
    expect(fake.sent).toEqual([
      {
        outId: 'msg-0001',
        phone: '13800000001',
        signName: '12309中国检察网',
        templateCode: 'SMS_100002',
        params: { reason: "缺少授权委托书 (原件)*~'!" },
      },
      {
        outId: 'msg-0002',
        phone: '13800000002',
        signName: '12309中国检察网',
        templateCode: 'SMS_100006',
        params: { password: 'Ab3$xy+Z/=', expiresAt: '2025-07-01' },
      },
    ]);
  });

  it('a wrong AccessKeySecret is refused by the fake (SignatureDoesNotMatch, retryable)', async () => {
    const e = await refusal(adapter(fake.url, 'not-the-secret').send(rejected, signal()));
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toMatchObject({ code: 'SignatureDoesNotMatch', retryable: true });
    expect(fake.refusedSignatures).toBe(1);
  });

  it('maps error codes: per-message problems fail at once, the rest are retried', async () => {
    fake.failNext(1, 'isv.MOBILE_NUMBER_ILLEGAL');
    expect(await refusal(adapter(fake.url).send(rejected, signal()))).toMatchObject({
      code: 'isv.MOBILE_NUMBER_ILLEGAL',
      retryable: false,
    });
    fake.failNext(1, 'isv.BUSINESS_LIMIT_CONTROL');
    expect(await refusal(adapter(fake.url).send(rejected, signal()))).toMatchObject({
      code: 'isv.BUSINESS_LIMIT_CONTROL',
      retryable: true,
    });
    expect(aliyunError('isv.DAY_LIMIT_CONTROL', '').retryable).toBe(false);
    expect(aliyunError('isp.SYSTEM_ERROR', '').retryable).toBe(true);
  });

  it('a provider slower than the timeout is a retryable TIMEOUT', async () => {
    expect(await refusal(adapter(slow.url).send(rejected, AbortSignal.timeout(100)))).toMatchObject(
      { code: 'TIMEOUT', retryable: true },
    );
  });
});

describe('Tencent Cloud SMS adapter against a local fake that checks the TC3-HMAC-SHA256 signature', () => {
  let fake: FakeTencent;
  beforeAll(async () => {
    fake = await startFakeTencent(tencentKeys);
  });
  afterAll(async () => {
    await fake?.close();
  });
  const adapter = (secretKey = tencentKeys.secretKey) =>
    createTencentProvider({
      endpoint: fake.url,
      region: 'ap-guangzhou',
      sdkAppId: tencentKeys.sdkAppId,
      secretId: tencentKeys.secretId,
      secretKey,
      signName: '12309中国检察网',
      templateIds,
    });

  it('sends with a signature the fake accepts: +86 number, template id, positional parameters, our id as SessionContext', async () => {
    const result = await adapter().send(packageReady, signal());
    expect(fake.refusedSignatures).toBe(0);
    expect(result.providerMessageId).toBe('serial-1');
    expect(fake.sent).toEqual([
      {
        sessionContext: 'msg-0002',
        phone: '+8613800000002',
        signName: '12309中国检察网',
        templateId: 'SMS_100006',
        params: ['Ab3$xy+Z/=', '2025-07-01'],
        serialNo: 'serial-1',
      },
    ]);
  });

  it('a wrong SecretKey is refused by the fake (AuthFailure.SignatureFailure, retryable)', async () => {
    expect(await refusal(adapter('wrong-key').send(rejected, signal()))).toMatchObject({
      code: 'AuthFailure.SignatureFailure',
      retryable: true,
    });
    expect(fake.refusedSignatures).toBe(1);
  });

  it('maps per-number status codes', async () => {
    fake.failNext(1, 'LimitExceeded.PhoneNumberDailyLimit');
    expect(await refusal(adapter().send(rejected, signal()))).toMatchObject({
      code: 'LimitExceeded.PhoneNumberDailyLimit',
      retryable: false,
    });
    fake.failNext(1, 'InternalError.Timeout');
    expect(await refusal(adapter().send(rejected, signal()))).toMatchObject({
      code: 'InternalError.Timeout',
      retryable: true,
    });
    expect(tencentError('InvalidParameterValue.IncorrectPhoneNumber', '').retryable).toBe(false);
  });

  it('pulls delivery reports (PullSmsSendStatus, signed the same way) and names our message ids', async () => {
    fake.report('msg-0002', true);
    fake.report('msg-0009', false);
    const receipts = await adapter().pullReceipts!(signal());
    expect(receipts.map(({ at: _at, ...r }) => r)).toEqual([
      { messageId: 'msg-0002', delivered: true },
      { messageId: 'msg-0009', delivered: false, error: '用户关机' },
    ]);
    expect(await adapter().pullReceipts!(signal())).toEqual([]);
  });
});
