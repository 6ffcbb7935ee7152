// Tencent Cloud SMS (API 3.0, version 2021-01-11): SendSms and PullSmsSendStatus, signed with
// TC3-HMAC-SHA256. Canonical request = POST, "/", "", the signed headers (content-type, host,
// x-tc-action; lower-case names and values), their names, and the hex SHA-256 of the JSON body;
// string to sign = algorithm, timestamp, "<UTC date>/sms/tc3_request", hex SHA-256 of the
// canonical request; key = HMAC chain "TC3"+SecretKey → date → "sms" → "tc3_request".
// Delivery reports are polled (PullSmsSendStatus; it works when no callback URL is configured).
import { createHash, createHmac } from 'node:crypto';
import type { MessageKind } from '../models/index.ts';
import { ProviderError, transportError, type Receipt, type SmsProvider } from './types.ts';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, s: string) =>
  createHmac('sha256', key).update(s, 'utf8').digest();

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  host: string;
  action: string;
  timestamp: number;
  payload: string;
  contentType: string;
}

/** The Authorization header of a TC3-HMAC-SHA256 request to the SMS service. */
export function tc3Authorization(input: Tc3Input): string {
  const signedHeaders = 'content-type;host;x-tc-action';
  const canonicalHeaders = `content-type:${input.contentType.toLowerCase()}\nhost:${input.host.toLowerCase()}\nx-tc-action:${input.action.toLowerCase()}\n`;
  const canonicalRequest = [
    'POST',
    '/',
    '',
    canonicalHeaders,
    signedHeaders,
    sha256(input.payload),
  ].join('\n');
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/sms/tc3_request`;
  const stringToSign = [
    'TC3-HMAC-SHA256',
    String(input.timestamp),
    scope,
    sha256(canonicalRequest),
  ].join('\n');
  const key = hmac(hmac(hmac(`TC3${input.secretKey}`, date), 'sms'), 'tc3_request');
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/** Codes that a retry of the same message will not fix; everything else is retried with backoff. */
const permanent: Record<string, string> = {
  'InvalidParameterValue.IncorrectPhoneNumber': '手机号码格式错误',
  'FailedOperation.PhoneNumberInBlacklist': '号码在黑名单中',
  'LimitExceeded.PhoneNumberDailyLimit': '该号码已达当日发送上限',
  'LimitExceeded.PhoneNumberSameContentDailyLimit': '该号码相同内容已达当日上限',
  'InvalidParameterValue.TemplateParameterFormatError': '模板变量格式错误',
  'InvalidParameterValue.TemplateParameterLengthLimit': '模板变量超出长度限制',
  'FailedOperation.ContainSensitiveWord': '短信内容含敏感词',
  'UnauthorizedOperation.SmsSdkAppIdVerifyFail': 'SmsSdkAppId 校验失败',
};

/** Maps a Tencent Cloud error code to our ProviderError. */
export function tencentError(code: string, message: string): ProviderError {
  return new ProviderError(
    code,
    permanent[code] ? `${permanent[code]}（${message}）` : `服务商错误（${message}）`,
    !permanent[code],
  );
}

export interface TencentOptions {
  endpoint: string;
  region: string;
  sdkAppId: string;
  secretId: string;
  secretKey: string;
  signName: string;
  templateIds: Partial<Record<MessageKind, string>>;
}

type Answer<T> = {
  Response?: T & { Error?: { Code: string; Message: string }; RequestId?: string };
};

/** The Tencent Cloud SMS adapter. SessionContext carries our message id (no dedupe key in the API). */
export function createTencentProvider(options: TencentOptions): SmsProvider {
  async function call<T>(action: string, body: unknown, signal: AbortSignal): Promise<T> {
    const payload = JSON.stringify(body);
    const timestamp = Math.floor(Date.now() / 1000);
    const contentType = 'application/json; charset=utf-8';
    const host = new URL(options.endpoint).host;
    const headers = {
      authorization: tc3Authorization({
        secretId: options.secretId,
        secretKey: options.secretKey,
        host,
        action,
        timestamp,
        payload,
        contentType,
      }),
      'content-type': contentType,
      'x-tc-action': action,
      'x-tc-version': '2021-01-11',
      'x-tc-timestamp': String(timestamp),
      'x-tc-region': options.region,
    };
    let res: Response;
    try {
      res = await fetch(options.endpoint, { method: 'POST', headers, body: payload, signal });
    } catch (err) {
      throw transportError(err);
    }
    const answer = (await res.json().catch(() => null)) as Answer<T> | null;
    if (!answer?.Response)
      throw new ProviderError(`HTTP_${res.status}`, `服务商返回异常（HTTP ${res.status}）`, true);
    if (answer.Response.Error)
      throw tencentError(answer.Response.Error.Code, answer.Response.Error.Message);
    return answer.Response;
  }

  return {
    name: 'tencent',
    async send(sms, signal) {
      const templateId = options.templateIds[sms.kind];
      if (!templateId)
        throw new ProviderError('NO_TEMPLATE', `未配置 ${sms.kind} 的模板编号`, false);
      const body = {
        PhoneNumberSet: [`+86${sms.phone}`],
        SmsSdkAppId: options.sdkAppId,
        SignName: options.signName,
        TemplateId: templateId,
        TemplateParamSet: sms.params.map((p) => p.value),
        SessionContext: sms.messageId,
      };
      const answer = await call<{
        SendStatusSet?: { Code: string; Message: string; SerialNo?: string }[];
      }>('SendSms', body, signal);
      const status = answer.SendStatusSet?.[0];
      if (!status) throw new ProviderError('NO_STATUS', '服务商未返回发送结果', true);
      if (status.Code !== 'Ok') throw tencentError(status.Code, status.Message);
      return { providerMessageId: status.SerialNo ?? null };
    },
    async pullReceipts(signal) {
      type Report = {
        SessionContext?: string;
        ReportStatus?: string;
        Description?: string;
        UserReceiveTime?: number;
      };
      const answer = await call<{ PullSmsSendStatusSet?: Report[] }>(
        'PullSmsSendStatus',
        { Limit: 100, SmsSdkAppId: options.sdkAppId },
        signal,
      );
      const receipts: Receipt[] = [];
      for (const r of answer.PullSmsSendStatusSet ?? []) {
        if (!r.SessionContext) continue;
        const delivered = r.ReportStatus === 'SUCCESS';
        const at = r.UserReceiveTime ? new Date(r.UserReceiveTime * 1000) : new Date();
        receipts.push({
          messageId: r.SessionContext,
          delivered,
          at,
          ...(delivered ? {} : { error: r.Description ?? 'FAIL' }),
        });
      }
      return receipts;
    },
  };
}
