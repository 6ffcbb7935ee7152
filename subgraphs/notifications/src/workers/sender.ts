import { randomBytes } from 'node:crypto';
import {
  AppError,
  contextFromTraceparent,
  inSpan,
  isDuplicateKey,
  SpanKind,
  type Logger,
  type Span,
} from '@yuejuan/runtime';
import { nativeCollection, type NotificationsModels, type SmsStatus } from '../models/index.ts';
import {
  ProviderError,
  transportError,
  type OutgoingSms,
  type SmsProvider,
} from '../providers/index.ts';
import { mobilePattern } from '../services/outbox.service.ts';
import { RouteMissingError, type ContactsClient } from '../services/contacts.service.ts';
import { render, templates } from '../templates.ts';
import { createClaims, type Claim, type Sendable } from './claims.ts';
import { createLoop } from './loop.ts';
import { smsAttemptsTotal } from '../metrics.ts';
import { createSettledItems } from './settled-items.ts';

export interface SenderOptions {
  models: NotificationsModels;
  provider: SmsProvider;
  contacts: ContactsClient | null;
  logger: Logger;
  signName: string;
  leaseMs: number;
  providerTimeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Longest pause between queue scans when nothing was queued here or fell due (a safety poll). */
  pollMs: number;
  concurrency: number;
  /** Names this sender in its leases (default: pid and a random suffix). */
  senderId?: string;
}

export type { Claim } from './claims.ts';

/** How a message ended, as recorded on the settled message. */
interface Outcome {
  status: SmsStatus;
  attempts: number;
  provider: string;
  lastError: string | null;
  sentAt?: Date;
  failedAt?: Date;
  providerMessageId?: string | null;
  phone?: string;
}

/**
 * The outbox sender. Claims (see claims.ts) are inserts under a unique `_id`: of concurrent
 * senders exactly one wins attempt n of a message. A live sender must not overlap the next
 * one: the provider call starts only early in the lease and is cut off by its timeout
 * (≤ lease/2), leaving the rest of the lease for recording the outcome; leases must be long
 * against database latency (default 30 s). Up to `concurrency` messages are in flight at once,
 * claimed in batches. After a failure the message waits `min(base·2^(n-1), cap)`; past
 * SMS_MAX_ATTEMPTS (or on a permanent error) it is FAILED.
 * Writes per sent message: its lease (batched), the insert of the settled message, and the
 * deletion of its queue item (batched), which holds the sensitive variables (so they go when
 * it is settled). On FerretDB's SQLite backend each update or delete scans its table, so nothing
 * else is written, and nothing but the backlog is scanned.
 */
export function createSender(o: SenderOptions) {
  const { models, logger } = o;
  const senderId = o.senderId ?? `sender-${process.pid}-${randomBytes(3).toString('hex')}`;
  const loop = createLoop('sms-sender', () => tick(), o.pollMs, logger);
  const inFlight = new Set<string>();
  const settledMessages = nativeCollection(models.SmsMessage);
  let halted = false;
  // One write at a time from this process: SQLite has one writer, and concurrent writes wait
  // in its busy handler's sleeps (milliseconds each), which costs more than queueing here.
  let writing: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const run = writing.then(f, f);
    writing = run.catch(() => undefined);
    return run;
  };

  const backoff = (n: number) => Math.min(o.backoffBaseMs * 2 ** (n - 1), o.backoffCapMs);

  /** Removes a settled message's queue item (its leases expire and are swept). */
  async function discard(messageId: string) {
    await models.SmsQueue.deleteOne({ _id: messageId }).exec();
  }

  const settledItems = createSettledItems(models, logger);

  /**
   * Settles a message for good: the settled message is inserted (a replayed intake then finds
   * it final and does not queue it again), then its queue item, and with it the secrets, goes.
   * A message a sender settled before dying (before it deleted the item) is already in
   * `sms_messages`: it is updated in place.
   */
  async function settle(message: Sendable, outcome: Outcome) {
    const { secrets: _dropped, createdAt, dedupeKey, source, _id, ...shown } = message;
    const doc = {
      ...shown,
      ...outcome,
      _id,
      dedupeKey,
      source,
      createdAt,
      sentAt: outcome.sentAt ?? null,
      failedAt: outcome.failedAt ?? null,
      deliveredAt: null,
      providerMessageId: outcome.providerMessageId ?? null,
    };
    await serial(async () => {
      try {
        await settledMessages.insertOne(doc as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const { _id: _same, ...fields } = doc;
        await models.SmsMessage.updateOne({ _id }, { $set: fields }).exec();
      }
    });
    settledItems.add(_id);
  }

  /** A provider error as stored, with any secret value a provider might echo blanked out. */
  const describe = (e: ProviderError, message: Sendable) =>
    Object.values(message.secrets ?? {}).reduce(
      (text, secret) => (secret ? text.split(secret).join('***') : text),
      `${e.code}: ${e.message}`,
    );

  async function fail(message: Sendable, n: number, e: ProviderError, phone?: string) {
    smsAttemptsTotal.inc({ provider: o.provider.name, outcome: 'failed', code: e.code });
    await settle(message, {
      status: 'FAILED',
      failedAt: new Date(),
      attempts: Math.min(n, o.maxAttempts),
      lastError: describe(e, message),
      provider: o.provider.name,
      ...(phone ? { phone } : {}),
    });
    logger.warn(
      { messageId: message._id, kind: message.kind, attempt: n, error: e.code },
      'sms failed',
    );
  }

  const claims = createClaims({
    models,
    senderId,
    leaseMs: o.leaseMs,
    providerTimeoutMs: o.providerTimeoutMs,
    maxAttempts: o.maxAttempts,
    scanLimit: Math.max(32, o.concurrency * 4),
    discard,
    serial,
    exhaust: (message, n) =>
      fail(
        message,
        n,
        new ProviderError('ATTEMPTS_EXHAUSTED', '重试次数已用尽（发送进程曾中断）', false),
      ),
  });

  /** The message's phone: stored, or looked up from its recipient (stored with the outcome). */
  async function phoneOf(message: Sendable): Promise<string> {
    if (message.phone) return message.phone;
    if (!message.recipientId || !o.contacts)
      throw new ProviderError('NO_PHONE', '收件人无手机号码', false);
    let contact;
    try {
      contact = (await o.contacts.byIds([message.recipientId])).get(message.recipientId);
    } catch (err) {
      if (err instanceof AppError || err instanceof RouteMissingError)
        throw new ProviderError('CONTACTS_UNAVAILABLE', '身份服务暂不可用，无法获取手机号码', true);
      throw err;
    }
    if (!contact?.phone) throw new ProviderError('NO_PHONE', '收件人未登记手机号码', false);
    if (!mobilePattern.test(contact.phone))
      throw new ProviderError('BAD_PHONE', '收件人手机号码格式不正确', false);
    return contact.phone;
  }

  function compose(message: Sendable, phone: string): OutgoingSms {
    const template = templates[message.kind].sms;
    if (!template) throw new ProviderError('NO_TEMPLATE', `${message.kind} 没有短信模板`, false);
    const values = { ...message.variables, ...message.secrets };
    const params = template.variables.map((name) => ({ name, value: values[name] ?? '' }));
    return {
      messageId: message._id,
      phone,
      kind: message.kind,
      params,
      text: `【${o.signName}】${render(template.text, values)}`,
    };
  }

  /**
   * Records SENT. The provider has accepted the message, so a database hiccup here must not
   * turn into another attempt: the write is retried for a while before giving up (the message
   * would then be sent again after its lease: the one window a crash can still duplicate).
   */
  async function recordSent(message: Sendable, outcome: Outcome) {
    for (const wait of [200, 1000, 3000, 0]) {
      try {
        return await settle(message, outcome);
      } catch (err) {
        if (!wait) throw err;
        logger.warn(
          { messageId: message._id, err: (err as Error).message },
          'recording a sent sms failed; retrying',
        );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /**
   * Sends a claimed message once and records the outcome, in a span of the trace that queued
   * it (an approval's trace reaches the SMS it caused, each attempt a span of its own).
   */
  function deliver(claim: Claim): Promise<void> {
    return inSpan(
      'sms send',
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromTraceparent(claim.message.traceparent),
        attributes: {
          'messaging.message.id': claim.message._id,
          'yuejuan.sms.kind': claim.message.kind,
          'yuejuan.sms.attempt': claim.attempt,
          'yuejuan.sms.provider': o.provider.name,
        },
      },
      (span) => attempt(claim, span),
    );
  }

  async function attempt(
    { message, attempt: n, sendBy }: Claim,
    span: Span | undefined,
  ): Promise<void> {
    let result: { providerMessageId: string | null };
    let phone: string | undefined;
    try {
      phone = await phoneOf(message);
      const sms = compose(message, phone);
      if (Date.now() > sendBy.getTime())
        throw new ProviderError('LEASE_SHORT', '租约剩余时间不足，稍后重试', true);
      result = await inSpan(`sms ${o.provider.name}`, { kind: SpanKind.CLIENT }, () =>
        o.provider.send(sms, AbortSignal.timeout(o.providerTimeoutMs)),
      );
    } catch (err) {
      const e = err instanceof ProviderError ? err : transportError(err);
      const looked = phone && phone !== message.phone ? phone : undefined;
      span?.setAttribute('error.type', e.code);
      if (!e.retryable || n >= o.maxAttempts) {
        span?.setAttribute('yuejuan.sms.outcome', 'failed');
        return fail(message, n, e, looked);
      }
      span?.setAttribute('yuejuan.sms.outcome', 'retry');
      smsAttemptsTotal.inc({ provider: o.provider.name, outcome: 'retry', code: e.code });
      const retryInMs = backoff(n);
      const dueAt = new Date(Date.now() + retryInMs);
      await serial(() =>
        models.SmsQueue.updateOne(
          { _id: message._id },
          {
            $set: {
              attempts: n,
              dueAt,
              lastError: describe(e, message),
              provider: o.provider.name,
            },
          },
        ).exec(),
      );
      loop.wakeAt(dueAt);
      logger.warn(
        { messageId: message._id, kind: message.kind, attempt: n, error: e.code, retryInMs },
        'sms attempt failed; will retry',
      );
      return;
    }
    span?.setAttribute('yuejuan.sms.outcome', 'sent');
    smsAttemptsTotal.inc({ provider: o.provider.name, outcome: 'sent', code: '' });
    const looked = phone !== message.phone ? { phone } : {};
    await recordSent(message, {
      status: 'SENT',
      attempts: n,
      sentAt: new Date(),
      provider: o.provider.name,
      providerMessageId: result.providerMessageId,
      lastError: null,
      ...looked,
    });
    logger.info(
      { messageId: message._id, kind: message.kind, attempt: n, provider: o.provider.name },
      'sms sent',
    );
  }

  /**
   * Sends every due message it can claim, `concurrency` at a time (each worker takes the next
   * claim; an empty batch is refilled by one claim round for all); answers how many it sent
   * or settled. Ends when a round claims nothing (all due items held elsewhere or none left).
   */
  async function tick(): Promise<number> {
    let done = 0;
    const ready: Claim[] = [];
    let refill: Promise<void> | null = null;
    let exhausted = false;
    const pending = new Set<Promise<void>>();
    const next = async (): Promise<Claim | null> => {
      for (;;) {
        const c = ready.shift();
        if (c) return c;
        if (exhausted || halted) return null;
        if (!refill && pending.size && inFlight.size > o.concurrency / 2) {
          // Let half of the slots free up first: one queue scan per batch, not per message.
          await Promise.race([...pending].map((p) => p.catch(() => undefined)));
          continue;
        }
        refill ??= claims
          .claimDue(
            o.concurrency - inFlight.size,
            (id) => inFlight.has(id) || settledItems.has(id),
            settledItems.size + settledItems.batch,
          )
          .then((got) => {
            for (const g of got) inFlight.add(g.message._id);
            ready.push(...got);
            if (!got.length) exhausted = true;
          })
          .finally(() => {
            refill = null;
          });
        await refill;
      }
    };
    const work = async () => {
      for (;;) {
        let c: Claim | null = null;
        try {
          c = await next();
          if (!c) return;
          const p = deliver(c);
          pending.add(p);
          try {
            await p;
          } finally {
            pending.delete(p);
          }
          done++;
        } catch (err) {
          // The database failed under this item: its lease (if taken) expires and it is retried.
          logger.warn(
            { messageId: c?.message._id, err: (err as Error).message },
            'sms attempt interrupted',
          );
          if (!c) return;
        } finally {
          if (c) inFlight.delete(c.message._id);
        }
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, work));
    await settledItems.flush();
    return done;
  }

  return {
    senderId,
    claim: claims.claim,
    deliver,
    tick,
    /** Wakes the loop now (a message was queued in this process). */
    kick: loop.kick,
    start() {
      halted = false;
      loop.start();
    },
    /** Claims nothing more, and returns once the messages in flight are settled. */
    async stop() {
      halted = true;
      await loop.stop();
      await settledItems.stop();
    },
  };
}
export type Sender = ReturnType<typeof createSender>;
