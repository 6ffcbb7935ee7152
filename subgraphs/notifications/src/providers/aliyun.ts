// Alibaba Cloud SMS (dysmsapi 2017-05-25, SendSms) with the RPC-style signature, version 1.0:
// HMAC-SHA1, keyed with `AccessKeySecret&`, over `POST&%2F&` + the percent-encoded canonical
// query (parameters sorted by name, RFC 3986 encoding: only A-Z a-z 0-9 - _ . ~ stay as they
// are). Parameters travel as an application/x-www-form-urlencoded body. Delivery reports come
// by Alibaba Cloud's HTTP push (SmsReport) to POST /receipts/aliyun?token=… (routes/receipts.ts).
import { createHmac, randomUUID } from 'node:crypto';
import type { MessageKind } from '../models/index.ts';
import { ProviderError, transportError, type Receipt, type SmsProvider } from './types.ts';

/** RFC 3986 percent-encoding as the signature needs it (encodeURIComponent leaves !'()* alone). */
export const percentEncode = (s: string): string =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** The RPC signature of `params` (without Signature) for `method`. */
export function aliyunSignature(
  method: 'GET' | 'POST',
  params: Record<string, string>,
  accessKeySecret: string,
): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/**
 * Codes that will not succeed on a retry of the same message (the message fails at once).
 * Everything else (isp.SYSTEM_ERROR, isv.BUSINESS_LIMIT_CONTROL, Throttling.User,
 * isv.AMOUNT_NOT_ENOUGH, signature, key, template or sign-name problems an operator can fix)
 * is retried with backoff until the cap.
 */
const permanent: Record<string, string> = {
  'isv.MOBILE_NUMBER_ILLEGAL': '手机号码格式错误',
  'isv.MOBILE_COUNT_OVER_LIMIT': '手机号码数量超过限制',
  'isv.TEMPLATE_MISSING_PARAMETERS': '模板缺少变量',
  'isv.INVALID_PARAMETERS': '参数异常',
  'isv.PARAM_LENGTH_LIMIT': '参数超出长度限制',
  'isv.DAY_LIMIT_CONTROL': '该号码已达当日发送上限',
  'isv.BLACK_KEY_CONTROL_LIMIT': '号码在黑名单中',
  'isv.SMS_CONTENT_ILLEGAL': '短信内容包含禁止发送内容',
};
const retryableNames: Record<string, string> = {
  'isp.SYSTEM_ERROR': '服务商系统错误',
  'isv.BUSINESS_LIMIT_CONTROL': '触发服务商流控',
  'Throttling.User': '请求过于频繁',
  'isv.AMOUNT_NOT_ENOUGH': '账户余额不足',
  'isv.OUT_OF_SERVICE': '业务停机',
  'isv.SMS_TEMPLATE_ILLEGAL': '模板不存在或未审核',
  'isv.SMS_SIGNATURE_ILLEGAL': '签名不存在或未审核',
  SignatureDoesNotMatch: '签名校验失败（检查 AccessKey）',
  'InvalidAccessKeyId.NotFound': 'AccessKeyId 不存在',
  SignatureNonceUsed: '请求随机数重复',
};

/** Maps an Alibaba Cloud error code to our ProviderError. */
export function aliyunError(code: string, message: string): ProviderError {
  if (permanent[code]) return new ProviderError(code, `${permanent[code]}（${message}）`, false);
  return new ProviderError(code, `${retryableNames[code] ?? '服务商错误'}（${message}）`, true);
}

export interface AliyunOptions {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templateIds: Partial<Record<MessageKind, string>>;
  regionId?: string;
}

/** The Alibaba Cloud SMS adapter. OutId carries our message id (receipts name it; the API has no dedupe key). */
export function createAliyunProvider(options: AliyunOptions): SmsProvider {
  return {
    name: 'aliyun',
    async send(sms, signal) {
      const templateCode = options.templateIds[sms.kind];
      if (!templateCode)
        throw new ProviderError('NO_TEMPLATE', `未配置 ${sms.kind} 的模板编号`, false);
      const params: Record<string, string> = {
        AccessKeyId: options.accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        RegionId: options.regionId ?? 'cn-hangzhou',
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: randomUUID(),
        SignatureVersion: '1.0',
        Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        Version: '2017-05-25',
        PhoneNumbers: sms.phone,
        SignName: options.signName,
        TemplateCode: templateCode,
        TemplateParam: JSON.stringify(Object.fromEntries(sms.params.map((p) => [p.name, p.value]))),
        OutId: sms.messageId,
      };
      const signature = aliyunSignature('POST', params, options.accessKeySecret);
      const body = Object.entries({ ...params, Signature: signature })
        .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
        .join('&');
      let res: Response;
      try {
        res = await fetch(options.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
          signal,
        });
      } catch (err) {
        throw transportError(err);
      }
      const answer = (await res.json().catch(() => null)) as {
        Code?: string;
        Message?: string;
        BizId?: string;
      } | null;
      if (answer?.Code === 'OK') return { providerMessageId: answer.BizId ?? null };
      if (!answer?.Code)
        throw new ProviderError(`HTTP_${res.status}`, `服务商返回异常（HTTP ${res.status}）`, true);
      throw aliyunError(answer.Code, answer.Message ?? '');
    },
  };
}

/**
 * Alibaba Cloud's SmsReport push: a JSON array of reports; `out_id` is our message id.
 * Unknown shapes are skipped, not trusted.
 */
export function parseAliyunReports(body: unknown): Receipt[] {
  if (!Array.isArray(body)) return [];
  const receipts: Receipt[] = [];
  for (const r of body as Record<string, unknown>[]) {
    if (typeof r?.out_id !== 'string' || !r.out_id) continue;
    const delivered = r.success === true || r.success === 'true';
    const at =
      typeof r.report_time === 'string'
        ? new Date(`${r.report_time.replace(' ', 'T')}+08:00`)
        : new Date();
    receipts.push({
      messageId: r.out_id,
      delivered,
      at: Number.isNaN(at.getTime()) ? new Date() : at,
      ...(delivered
        ? {}
        : { error: `${String(r.err_code ?? '')} ${String(r.err_msg ?? '')}`.trim() }),
    });
  }
  return receipts;
}
