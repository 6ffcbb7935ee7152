import { z } from 'zod';
import type { Logger } from '@yuejuan/runtime';
import { messageKinds } from '../models/index.ts';
import { checkSmsVariables, smsKinds } from '../templates.ts';
import type { ContactsClient } from './contacts.service.ts';
import { mobilePattern, type Outbox } from './outbox.service.ts';
import type { RateLimiter } from './rate-limit.service.ts';

const requestSchema = z.object({
  to: z.union([
    z.object({ phone: z.string() }).strict(),
    z
      .object({ recipientId: z.string().min(1).max(100), role: z.enum(['LAWYER', 'PROSECUTOR']) })
      .strict(),
  ]),
  kind: z.enum(messageKinds),
  variables: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  dedupeKey: z.string().min(1).max(200),
});

/** The answers of `POST /internal/sms` (the preamble's contract, plus 503 when identity is down). */
export type IntakeAnswer =
  | { status: 202; body: { messageId: string } }
  | { status: 400; body: { code: 'BAD_USER_INPUT'; message: string } }
  | { status: 429; body: { code: 'RATE_LIMITED'; message: string; retryAfterSeconds: number } }
  | { status: 503; body: { code: 'SERVICE_UNAVAILABLE'; message: string } };

const bad = (message: string): IntakeAnswer => ({
  status: 400,
  body: { code: 'BAD_USER_INPUT', message },
});

/**
 * SMS asked for by another subgraph (identity's codes, reading's package passwords): checks the
 * request against the kind's template, answers the earlier message for a dedupe key seen
 * before (without counting it again), resolves the phone, applies the per-phone rate limit
 * (to the kinds configured: the codes) and queues the message. Never echoes or logs a variable's value.
 */
export function createSmsIntake(deps: {
  outbox: Outbox;
  limiter: RateLimiter;
  limitedKinds: string[];
  contacts: ContactsClient | null;
  logger: Logger;
}) {
  return async function accept(body: unknown): Promise<IntakeAnswer> {
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success)
      return bad(
        `请求格式不正确：${parsed.error.issues.map((i) => i.path.join('.') || '(body)').join('、')}`,
      );
    const { to, kind, dedupeKey } = parsed.data;
    if (!smsKinds.includes(kind)) return bad(`${kind} 不能以短信发送。`);
    const checked = checkSmsVariables(kind, parsed.data.variables);
    if ('problems' in checked) return bad(`短信变量有误：${checked.problems.join('；')}。`);

    const key = `sms:${dedupeKey}`;
    const earlier = await deps.outbox.existing(key);
    if (earlier) return { status: 202, body: { messageId: earlier } };

    let phone: string | null;
    if ('phone' in to) phone = to.phone;
    else {
      if (!deps.contacts)
        return {
          status: 503,
          body: { code: 'SERVICE_UNAVAILABLE', message: '身份服务未配置，无法按收件人发送。' },
        };
      const contact = await deps.contacts.byIds([to.recipientId]).then(
        (m) => m.get(to.recipientId),
        () => 'unavailable' as const,
      );
      if (contact === 'unavailable')
        return {
          status: 503,
          body: { code: 'SERVICE_UNAVAILABLE', message: '身份服务暂不可用，请稍后再试。' },
        };
      if (!contact || contact.role !== to.role) return bad('收件人不存在。');
      phone = contact.phone;
      if (!phone) return bad('收件人未登记手机号码。');
    }
    if (!mobilePattern.test(phone)) return bad('手机号码格式不正确。');

    const allowed = deps.limitedKinds.includes(kind)
      ? await deps.limiter.take(phone)
      : ({ ok: true } as const);
    if (!allowed.ok) {
      deps.logger.warn(
        {
          kind,
          windowSeconds: allowed.windowSeconds,
          retryAfterSeconds: allowed.retryAfterSeconds,
        },
        'sms refused by the per-phone rate limit',
      );
      return {
        status: 429,
        body: {
          code: 'RATE_LIMITED',
          message: `短信发送过于频繁，请 ${allowed.retryAfterSeconds} 秒后再试。`,
          retryAfterSeconds: allowed.retryAfterSeconds,
        },
      };
    }
    const recipient = 'recipientId' in to ? { id: to.recipientId, role: to.role } : null;
    const { messageId } = await deps.outbox.enqueue({
      dedupeKey: key,
      kind,
      phone,
      recipient,
      values: checked.values,
      source: 'INTERNAL',
    });
    return { status: 202, body: { messageId } };
  };
}
export type SmsIntake = ReturnType<typeof createSmsIntake>;
