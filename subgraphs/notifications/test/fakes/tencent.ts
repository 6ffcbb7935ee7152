// A local stand-in for Tencent Cloud SMS (API 3.0, 2021-01-11: SendSms, PullSmsSendStatus). It
// verifies TC3-HMAC-SHA256 from the documentation's steps, using the SignedHeaders the request
// names (as the service does): canonical headers are "name:value\n" in lower case for each,
// the payload hash is of the raw body, and the signing key is derived
// HMAC("TC3"+key, date) → HMAC(·, service) → HMAC(·, "tc3_request"). It refuses stale
// timestamps, can fail the next N sends, and hands out delivery reports when pulled.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { sleep, startFake, type FakeRequest } from '@yuejuan/testing/simulators';

const hex = (data: string) => createHash('sha256').update(data).digest('hex');
const mac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

export interface TencentSent {
  sessionContext: string;
  phone: string;
  signName: string;
  templateId: string;
  params: string[];
  serialNo: string;
}

export async function startFakeTencent(
  keys: { secretId: string; secretKey: string; sdkAppId: string },
  options: { delayMs?: number } = {},
) {
  const sent: TencentSent[] = [];
  const reports: {
    SessionContext: string;
    ReportStatus: string;
    Description: string;
    UserReceiveTime: number;
    SerialNo: string;
  }[] = [];
  let failures = { left: 0, code: '' };
  let refusedSignatures = 0;
  const reply = (body: Record<string, unknown>) => ({
    json: { Response: { ...body, RequestId: randomUUID() } },
  });
  const error = (Code: string, Message: string) => reply({ Error: { Code, Message } });

  function verify(req: FakeRequest): string | null {
    const auth = String(req.headers.authorization ?? '');
    const m =
      /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return 'AuthFailure.SignatureFailure';
    const [, secretId, date, service, signedHeaders, signature] = m as unknown as string[];
    if (secretId !== keys.secretId) return 'AuthFailure.SecretIdNotFound';
    const timestamp = Number(req.headers['x-tc-timestamp']);
    if (!Number.isFinite(timestamp) || Math.abs(timestamp * 1000 - Date.now()) > 5 * 60_000)
      return 'AuthFailure.SignatureExpire';
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date || service !== 'sms')
      return 'AuthFailure.SignatureFailure';
    const names = signedHeaders!.split(';');
    if (!names.includes('content-type') || !names.includes('host'))
      return 'AuthFailure.SignatureFailure';
    const canonicalHeaders = names
      .map(
        (n) =>
          `${n}:${String(req.headers[n] ?? '')
            .trim()
            .toLowerCase()}\n`,
      )
      .join('');
    const canonical = `${req.method}\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${hex(req.body)}`;
    const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/${service}/tc3_request\n${hex(canonical)}`;
    const key = mac(mac(mac(`TC3${keys.secretKey}`, date!), service!), 'tc3_request');
    return createHmac('sha256', key).update(toSign).digest('hex') === signature
      ? null
      : 'AuthFailure.SignatureFailure';
  }

  async function handle(req: FakeRequest) {
    if (options.delayMs) await sleep(options.delayMs);
    const refused = verify(req);
    if (refused) {
      refusedSignatures++;
      return error(refused, 'The provided credentials could not be validated.');
    }
    const body = JSON.parse(req.body) as Record<string, unknown>;
    if (body.SmsSdkAppId !== keys.sdkAppId)
      return error('UnauthorizedOperation.SmsSdkAppIdVerifyFail', 'SmsSdkAppId verify fail.');
    if (req.headers['x-tc-action'] === 'PullSmsSendStatus')
      return reply({ PullSmsSendStatusSet: reports.splice(0, Number(body.Limit ?? 100)) });
    if (req.headers['x-tc-action'] !== 'SendSms' || req.headers['x-tc-version'] !== '2021-01-11')
      return error('InvalidAction', 'unknown action');
    const phone = (body.PhoneNumberSet as string[])[0] ?? '';
    const status = (Code: string, Message: string, SerialNo = '') =>
      reply({
        SendStatusSet: [
          {
            SerialNo,
            PhoneNumber: phone,
            Fee: 1,
            SessionContext: body.SessionContext,
            Code,
            Message,
            IsoCode: 'CN',
          },
        ],
      });
    if (failures.left > 0) {
      failures.left--;
      return status(failures.code, `fake failure (${failures.code})`);
    }
    if (!/^\+861[3-9]\d{9}$/.test(phone))
      return status('InvalidParameterValue.IncorrectPhoneNumber', 'incorrect phone number');
    const serialNo = `serial-${sent.length + 1}`;
    sent.push({
      sessionContext: String(body.SessionContext ?? ''),
      phone,
      signName: String(body.SignName),
      templateId: String(body.TemplateId),
      params: body.TemplateParamSet as string[],
      serialNo,
    });
    return status('Ok', 'send success', serialNo);
  }

  const server = await startFake(handle);
  return {
    url: server.url,
    sent,
    get refusedSignatures() {
      return refusedSignatures;
    },
    failNext(n: number, code = 'InternalError.Timeout') {
      failures = { left: n, code };
    },
    /** Queues a delivery report for a sent message, as the carrier would. */
    report(sessionContext: string, delivered: boolean) {
      reports.push({
        SessionContext: sessionContext,
        ReportStatus: delivered ? 'SUCCESS' : 'FAIL',
        Description: delivered ? '用户接收成功' : '用户关机',
        UserReceiveTime: Math.floor(Date.now() / 1000),
        SerialNo: '',
      });
    },
    close: server.close,
  };
}
export type FakeTencent = Awaited<ReturnType<typeof startFakeTencent>>;
