import type { MessageKind } from '../models/index.ts';

/** One SMS as a provider receives it. */
export interface OutgoingSms {
  /** Our message id: the provider's dedupe key where it has one, and how receipts find the message. */
  messageId: string;
  /** Mainland mobile number, 11 digits. */
  phone: string;
  kind: MessageKind;
  /** Template variables in the template's order (positional providers use the order). */
  params: { name: string; value: string }[];
  /** The full text with its 【signature】 (what the development sink shows). */
  text: string;
}

/** A delivery report: the handset got the SMS, or the carrier gave up. */
export interface Receipt {
  messageId: string;
  delivered: boolean;
  /** Provider's code and description when not delivered. */
  error?: string;
  at: Date;
}

/** The small interface every SMS provider implements. */
export interface SmsProvider {
  readonly name: 'dev' | 'aliyun' | 'tencent';
  /** Sends one SMS; throws ProviderError. `signal` aborts the request before the lease ends. */
  send(sms: OutgoingSms, signal: AbortSignal): Promise<{ providerMessageId: string | null }>;
  /** Providers whose receipts are polled (Tencent Cloud's PullSmsSendStatus). */
  pullReceipts?(signal: AbortSignal): Promise<Receipt[]>;
}

/**
 * A provider refused or failed a send. `retryable`: worth another attempt after backoff
 * (throttling, provider outage, account or signing problems an operator can fix); otherwise
 * the message fails at once (bad number, blacklisted, daily cap of that phone reached).
 */
export class ProviderError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/**
 * Network failures and timeouts: retried. A timeout is an unknown outcome (the provider may
 * have sent the SMS; neither provider offers an idempotency key), so its retry can duplicate.
 */
export function transportError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const name = (err as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return new ProviderError('TIMEOUT', '短信服务商响应超时（结果未知）', true);
  return new ProviderError(
    'NETWORK',
    `无法连接短信服务商（${(err as Error)?.message ?? 'unknown'}）`,
    true,
  );
}
