import { createHash, createHmac, randomBytes } from 'node:crypto';
import { AppError } from '@yuejuan/runtime';

/** Why a face check failed, as the provider says it. */
export type FaceFailure = 'FACE_MISMATCH' | 'ID_MISMATCH' | 'NO_FACE' | 'LIVENESS_FAILED';

/** One face check: the photo taken on the verifier against the national ID photo. */
export interface FaceCheck {
  requestId: string;
  name: string;
  idNumber: string;
  /** Base64 image (JPEG or PNG), without a data: prefix. */
  image: string;
}

export type FaceResult = { passed: true } | { passed: false; reason: FaceFailure };

/** The identity-verification service behind 人脸识别. Throws SERVICE_UNAVAILABLE when it cannot answer. */
export interface FaceProvider {
  readonly kind: 'http' | 'demo';
  verify(check: FaceCheck): Promise<FaceResult>;
}

const failures: FaceFailure[] = ['FACE_MISMATCH', 'ID_MISMATCH', 'NO_FACE', 'LIVENESS_FAILED'];
const unavailable = (reason: string) =>
  new AppError('SERVICE_UNAVAILABLE', '人脸识别服务暂不可用，请稍后再试。', {
    serviceName: 'face',
    reason,
  });

/** The signature the face service checks: HMAC-SHA256 over app id, time, nonce and the body's SHA-256. */
export function faceSignature(
  secret: string,
  appId: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', secret)
    .update(`${appId}\n${timestamp}\n${nonce}\n${bodyHash}`)
    .digest('base64');
}

/**
 * The HTTP adapter of a real identity-verification service. Contract: `POST {endpoint}` with
 * JSON `{requestId, name, idNumber, image}` and headers `x-app-id`, `x-timestamp` (Unix
 * seconds), `x-nonce`, `x-signature` (see faceSignature); answers 200 with
 * `{code: "0", result: "PASS" | "FAIL", reason?: FaceFailure, score?}`. Any other status or
 * code is the service's failure, not the lawyer's: SERVICE_UNAVAILABLE.
 */
export function createHttpFaceProvider(options: {
  endpoint: string;
  appId: string;
  secret: string;
  timeoutMs: number;
}): FaceProvider {
  return {
    kind: 'http',
    async verify(check) {
      const body = JSON.stringify(check);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = randomBytes(12).toString('hex');
      const res = await fetch(options.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-app-id': options.appId,
          'x-timestamp': timestamp,
          'x-nonce': nonce,
          'x-signature': faceSignature(options.secret, options.appId, timestamp, nonce, body),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      }).catch(() => null);
      if (!res) throw unavailable('unreachable');
      const answer = (await res.json().catch(() => null)) as {
        code?: unknown;
        result?: unknown;
        reason?: unknown;
      } | null;
      if (res.status !== 200 || !answer || answer.code !== '0')
        throw unavailable(`status ${res.status}, code ${String(answer?.code)}`);
      if (answer.result === 'PASS') return { passed: true };
      if (answer.result === 'FAIL')
        return {
          passed: false,
          reason: failures.includes(answer.reason as FaceFailure)
            ? (answer.reason as FaceFailure)
            : 'FACE_MISMATCH',
        };
      throw unavailable('unknown result');
    },
  };
}

/**
 * Development stand-in: passes any photo of at least 64 bytes (a smaller one is NO_FACE, so
 * the failure path can be tried). A production configuration refuses to start with it.
 */
export function createDemoFaceProvider(): FaceProvider {
  return {
    kind: 'demo',
    async verify(check) {
      return Buffer.from(check.image, 'base64').length >= 64
        ? { passed: true }
        : { passed: false, reason: 'NO_FACE' };
    },
  };
}
