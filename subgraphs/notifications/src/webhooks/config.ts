import { z } from 'zod';

const ms = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/** The webhook settings (part of the notifications configuration). */
export const webhookConfigShape = {
  /**
   * Lets endpoints use http and private, loopback or link-local addresses (development and
   * tests, with a receiver on 127.0.0.1). Production refuses it: those are SSRF targets.
   */
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Key sealing the endpoints' signing secrets at rest (default: derived from YUEJUAN_INTERNAL_SECRET). */
  WEBHOOK_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long a request to a receiver may take (connect to last byte of the answer's head). */
  WEBHOOK_TIMEOUT_MS: ms(50, 10_000),
  /** How long an attempt is held by one sender; at least twice WEBHOOK_TIMEOUT_MS. */
  WEBHOOK_LEASE_MS: ms(100, 60_000),
  /** First retry after this (then doubling, with ±20 % jitter, up to the cap). */
  WEBHOOK_BACKOFF_BASE_MS: ms(10, 5_000),
  WEBHOOK_BACKOFF_CAP_MS: ms(10, 3 * 3_600_000),
  /** Retries stop this long after a delivery run started; the message is then FAILED. */
  WEBHOOK_RETRY_WINDOW_MS: ms(100, 24 * 3_600_000),
  /** An endpoint whose every attempt failed for this long is disabled (the admin is told). */
  WEBHOOK_DISABLE_AFTER_MS: ms(100, 5 * 24 * 3_600_000),
  /** How long a replaced signing secret still signs by default (both signatures are sent). */
  WEBHOOK_SECRET_OVERLAP_SECONDS: z.coerce.number().int().min(0).max(2_592_000).default(86_400),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(128).default(16),
  /** Safety poll of an idle webhook sender (new messages and retries wake it at once). */
  WEBHOOK_POLL_MS: ms(10, 30_000),
};

/** Webhook settings that only make sense together. */
export function webhookConfigProblems(c: {
  NODE_ENV: string;
  WEBHOOK_ALLOW_PRIVATE: boolean;
  WEBHOOK_TIMEOUT_MS: number;
  WEBHOOK_LEASE_MS: number;
  WEBHOOK_BACKOFF_BASE_MS: number;
  WEBHOOK_BACKOFF_CAP_MS: number;
  WEBHOOK_SECRET_KEY?: string;
}): string[] {
  const problems: string[] = [];
  if (c.NODE_ENV === 'production' && c.WEBHOOK_ALLOW_PRIVATE)
    problems.push(
      'WEBHOOK_ALLOW_PRIVATE: production refuses webhook endpoints on private or loopback addresses',
    );
  if (c.WEBHOOK_TIMEOUT_MS * 2 > c.WEBHOOK_LEASE_MS)
    problems.push('WEBHOOK_TIMEOUT_MS: must be at most half of WEBHOOK_LEASE_MS');
  if (c.WEBHOOK_BACKOFF_CAP_MS < c.WEBHOOK_BACKOFF_BASE_MS)
    problems.push('WEBHOOK_BACKOFF_CAP_MS: must not be below WEBHOOK_BACKOFF_BASE_MS');
  return problems;
}
