import { describe, expect, it } from 'vitest';
import {
  ApiError,
  errorMessages,
  fromGraphqlErrors,
  messageFor,
  retryAfterSeconds,
  toApiError,
} from '../../src/errors.ts';

const common = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'STEP_UP_REQUIRED',
];
const domain = [
  'SMS_TOO_FREQUENT',
  'SMS_DAILY_LIMIT',
  'CODE_INVALID',
  'CODE_EXPIRED',
  'CODE_ATTEMPTS_EXCEEDED',
  'CODE_USED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'PASSWORD_NOT_SET',
  'PHONE_REQUIRED',
  'IDENTITY_VERIFICATION_REQUIRED',
  'ACTIVATION_NOT_FOUND',
  'ACTIVATION_EXPIRED',
  'ACTIVATION_STATE',
  'ACTIVATION_COMPLETED',
  'PHONE_MISMATCH',
  'PHONE_TAKEN',
  'DEVICE_INVALID',
  'SIGNATURE_INVALID',
  'SIGNATURE_EXPIRED',
  'SIGNATURE_REPLAYED',
  'QR_INVALID',
  'TICKET_INVALID',
  'TICKET_EXPIRED',
  'TICKET_USED',
  'TICKET_REJECTED',
  'TICKET_NOT_SCANNED',
  'TICKET_NOT_CONFIRMED',
  'TICKET_SCANNED',
  'CHALLENGE_INVALID',
  'CHALLENGE_EXPIRED',
  'CHALLENGE_USED',
  'CHALLENGE_WRONG_LAWYER',
  'CONSENT_OUTDATED',
  'CONSENT_REQUIRED',
  'ALREADY_REGISTERED',
  'SESSION_RENEWED',
  'SESSION_RENEWAL_EXPIRED',
  'SERVICE_UNAVAILABLE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'GONE',
  'CASE_NOT_BOUND',
  'READING_EXCLUDED',
  'ONLINE_READING_UNAVAILABLE',
  'RECEIPT_REQUIRED',
  'PACKAGE_NOT_READY',
  'PACKAGE_EXPIRED',
  'PACKAGE_REVOKED',
  'PACKAGE_LOCKED',
  'WRONG_PASSWORD',
];

describe('error messages', () => {
  it('has a Chinese message for every code the API answers with', () => {
    for (const code of [...common, ...domain])
      expect(errorMessages[code], code).toMatch(/[\u4e00-\u9fff]/);
  });

  it('prefers the service’s own Chinese message, which carries the details', () => {
    expect(messageFor('CODE_INVALID', '验证码不正确，还可尝试 2 次。')).toBe(
      '验证码不正确，还可尝试 2 次。',
    );
  });

  it('replaces an English or empty message with the table’s', () => {
    expect(messageFor('UNAUTHENTICATED', 'Unauthorized')).toBe('登录已失效，请重新登录。');
    expect(messageFor('NOT_FOUND', '')).toBe(errorMessages.NOT_FOUND);
  });

  it('never shows an internal error’s text, even a Chinese one', () => {
    expect(messageFor('INTERNAL_SERVER_ERROR', '数据库连接失败：mongodb://…')).toBe(
      '系统繁忙，请稍后再试。',
    );
  });

  it('falls back to a generic Chinese message for an unknown code', () => {
    expect(messageFor('SOMETHING_NEW', 'boom')).toBe('操作失败，请稍后再试。');
  });
});

describe('fromGraphqlErrors', () => {
  it('keeps the first error’s code and details without the code itself', () => {
    const err = fromGraphqlErrors([
      {
        message: '验证码发送过于频繁，请 42 秒后再试。',
        extensions: { code: 'SMS_TOO_FREQUENT', retryAfterSeconds: 42 },
      },
    ]);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('SMS_TOO_FREQUENT');
    expect(err.message).toBe('验证码发送过于频繁，请 42 秒后再试。');
    expect(err.details).toEqual({ retryAfterSeconds: 42 });
    expect(retryAfterSeconds(err)).toBe(42);
  });

  it('exposes the field a BAD_USER_INPUT is about', () => {
    const err = fromGraphqlErrors([
      { message: '手机号码格式不正确。', extensions: { code: 'BAD_USER_INPUT', field: 'phone' } },
    ]);
    expect(err.field).toBe('phone');
  });

  it('reads the step-up purpose the client needs to show the identity QR', () => {
    const err = fromGraphqlErrors([
      {
        message: '请先使用中国律师身份核验扫码完成身份核验。',
        extensions: { code: 'STEP_UP_REQUIRED', purpose: 'BIND_CASE' },
      },
    ]);
    expect(err.details.purpose).toBe('BIND_CASE');
  });
});

describe('toApiError', () => {
  it('turns a failed fetch into a network message', () => {
    expect(toApiError(new TypeError('fetch failed')).code).toBe('NETWORK_ERROR');
    expect(toApiError({ graphQLErrors: [], networkError: new Error('offline') }).message).toBe(
      '网络连接失败，请检查网络后重试。',
    );
  });

  it('passes an ApiError through unchanged', () => {
    const err = new ApiError('CONFLICT', '状态已变化');
    expect(toApiError(err)).toBe(err);
  });
});
