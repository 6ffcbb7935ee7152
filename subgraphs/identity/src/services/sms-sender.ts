import { AppError, callInternal } from '@yuejuan/runtime';

/** SMS templates identity asks notifications to send (the text is notifications' template). */
export type SmsKind = 'LOGIN_CODE' | 'BINDING_PHONE_CODE' | 'PROSECUTOR_LOGIN_CODE';

/** One SMS to send. `variables` may hold the code: it leaves only through this call. */
export interface SmsRequest {
  phone: string;
  kind: SmsKind;
  variables: Record<string, string>;
  /** The code's id: a retried call never sends twice. */
  dedupeKey: string;
}

/** The SMS channel: notifications' `POST /internal/sms` in production, a recorder in tests. */
export interface SmsSender {
  send(request: SmsRequest): Promise<void>;
}

interface SmsAnswer {
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
}

/**
 * Sends through the notifications subgraph (`POST /internal/sms`, a SERVICE token minted for
 * audience `notifications`). 202 is sent; 429 and 400 keep notifications' code and message;
 * anything else is SERVICE_UNAVAILABLE.
 */
export function createHttpSmsSender(options: {
  baseUrl: string;
  secret: string;
  timeoutMs?: number;
}): SmsSender {
  const target = {
    baseUrl: options.baseUrl,
    audience: 'notifications',
    service: 'identity',
    secret: options.secret,
    timeoutMs: options.timeoutMs,
  };
  return {
    async send({ phone, kind, variables, dedupeKey }) {
      const { status, body } = await callInternal<SmsAnswer>(target, '/internal/sms', {
        to: { phone },
        kind,
        variables,
        dedupeKey,
      });
      if (status === 202 || status === 200) return;
      if (status === 429) {
        throw new AppError('RATE_LIMITED', body.message ?? '短信发送过于频繁，请稍后再试。', {
          limit: 'SMS_CHANNEL',
          retryAfterSeconds: body.retryAfterSeconds ?? 60,
        });
      }
      if (status === 400)
        throw new AppError('BAD_USER_INPUT', body.message ?? '短信无法发送到该号码。', {
          field: 'phone',
        });
      throw new AppError('SERVICE_UNAVAILABLE', '短信服务暂不可用，请稍后再试。', {
        serviceName: 'notifications',
      });
    },
  };
}
