// A local stand-in for Alibaba Cloud's dysmsapi (SendSms, 2017-05-25). It checks the RPC
// signature (SignatureVersion 1.0, HMAC-SHA1) as the service documents it, with its own
// encoder, not the adapter's: every UTF-8 byte outside A-Z a-z 0-9 - _ . ~ becomes %XX (upper
// case hex); pairs sorted by name in byte order; string to sign = METHOD & %2F & encode(query);
// key = AccessKeySecret + "&". It refuses stale timestamps and reused nonces, can fail the next
// N sends with a chosen code, can answer slowly, and dedupes by OutId (counting repeats).
import { createHmac, randomUUID } from 'node:crypto';
import { sleep, startFake, type FakeRequest } from './http.ts';

function encode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export interface AliyunSent {
  outId: string;
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
}

export async function startFakeAliyun(
  keys: { accessKeyId: string; accessKeySecret: string },
  options: { delayMs?: number } = {},
) {
  const nonces = new Set<string>();
  const sent: AliyunSent[] = [];
  const byOutId = new Map<string, number>();
  let failures: { left: number; code: string } = { left: 0, code: '' };
  let requests = 0;
  /** Every well-signed send with its answer, in order (the times show the sender's backoff). */
  const attempts: { at: number; outId: string; code: string }[] = [];
  let refusedSignatures = 0;
  const answer = (
    Code: string,
    Message: string,
    status = 200,
    extra: Record<string, unknown> = {},
  ) => ({ status, json: { Code, Message, RequestId: randomUUID(), ...extra } });

  async function handle(req: FakeRequest) {
    requests++;
    if (options.delayMs) await sleep(options.delayMs);
    const pairs = req.body
      .split('&')
      .filter(Boolean)
      .map((p) => p.split('=').map((x) => decodeURIComponent(x)) as [string, string]);
    const params = Object.fromEntries(pairs);
    const signature = params.Signature;
    const rest = pairs
      .filter(([k]) => k !== 'Signature')
      .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const query = rest.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
    const expected = createHmac('sha1', `${keys.accessKeySecret}&`)
      .update(`${req.method}&${encode('/')}&${encode(query)}`)
      .digest('base64');
    if (params.AccessKeyId !== keys.accessKeyId)
      return answer('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
    if (
      params.SignatureMethod !== 'HMAC-SHA1' ||
      params.SignatureVersion !== '1.0' ||
      !signature ||
      signature !== expected
    ) {
      refusedSignatures++;
      return answer(
        'SignatureDoesNotMatch',
        'Specified signature is not matched with our calculation.',
        400,
      );
    }
    if (!params.Timestamp || Math.abs(Date.parse(params.Timestamp) - Date.now()) > 15 * 60_000)
      return answer(
        'InvalidTimeStamp.Expired',
        'Specified time stamp or date value is expired.',
        400,
      );
    if (!params.SignatureNonce || nonces.has(params.SignatureNonce))
      return answer('SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
    nonces.add(params.SignatureNonce);
    if (params.Action !== 'SendSms' || params.Version !== '2017-05-25')
      return answer('InvalidAction.NotFound', 'Specified api is not found.', 404);
    const outId = params.OutId ?? '';
    if (failures.left > 0) {
      failures.left--;
      attempts.push({ at: Date.now(), outId, code: failures.code });
      return answer(failures.code, `fake failure (${failures.code})`);
    }
    if (!/^1[3-9]\d{9}$/.test(params.PhoneNumbers ?? ''))
      return answer('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    attempts.push({ at: Date.now(), outId, code: 'OK' });
    byOutId.set(outId, (byOutId.get(outId) ?? 0) + 1);
    sent.push({
      outId,
      phone: params.PhoneNumbers!,
      signName: params.SignName ?? '',
      templateCode: params.TemplateCode ?? '',
      params: JSON.parse(params.TemplateParam ?? '{}') as Record<string, string>,
    });
    return answer('OK', 'OK', 200, { BizId: `biz-${sent.length}` });
  }

  const server = await startFake(handle);
  return {
    url: server.url,
    sent,
    byOutId,
    attempts,
    get requests() {
      return requests;
    },
    get refusedSignatures() {
      return refusedSignatures;
    },
    /** The next `n` well-signed sends answer `code` instead of OK. */
    failNext(n: number, code = 'isp.SYSTEM_ERROR') {
      failures = { left: n, code };
    },
    close: server.close,
  };
}
export type FakeAliyun = Awaited<ReturnType<typeof startFakeAliyun>>;
