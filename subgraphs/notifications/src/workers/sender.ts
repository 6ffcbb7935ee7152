import { randomBytes } from 'node:crypto';
import { AppError, claimOnce, type Logger } from '@yuejuan/runtime';
import { finalStatuses, nativeCollection, type NotificationsModels, type SmsLeaseDoc, type SmsMessageDoc, type SmsQueueDoc } from '../models/index.ts';
import { ProviderError, transportError, type OutgoingSms, type SmsProvider } from '../providers/index.ts';
import { mobilePattern } from '../services/outbox.service.ts';
import { RouteMissingError, type ContactsClient } from '../services/contacts.service.ts';
import { render, templates } from '../templates.ts';
import { createLoop } from './loop.ts';

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

/**
 * A claimed attempt: this sender alone may work on the message until `expiresAt`, and may
 * start the provider call only until `sendBy`, which leaves half of what the call does not
 * use of the lease for recording the outcome.
 */
export interface Claim { message: SmsMessageDoc; attempt: number; expiresAt: Date; sendBy: Date }

const leaseKey = (messageId: string, n: number) => `${messageId}:attempt:${n}`;

/**
 * The outbox sender. Each attempt at a message is claimed by inserting the lease document
 * `${messageId}:attempt:${n}` (unique `_id`): of concurrent senders exactly one wins attempt n.
 * A lease that expired without an outcome belonged to a sender that died, so the next sender
 * claims attempt n+1. A live sender must not overlap the next one: the provider call starts
 * only early in the lease and is cut off by its timeout (≤ lease/2), leaving the rest of the
 * lease for recording the outcome; leases must be long against database latency (default
 * 30 s). After a failure the message waits `min(base·2^(n-1), cap)`; past SMS_MAX_ATTEMPTS (or
 * on a permanent error) it is FAILED.
 * Sensitive variables are removed from the message when it is SENT or FAILED.
 */
export function createSender(o: SenderOptions) {
  const { models, logger } = o;
  const leases = nativeCollection(models.SmsLease);
  const senderId = o.senderId ?? `sender-${process.pid}-${randomBytes(3).toString('hex')}`;
  const loop = createLoop('sms-sender', () => tick(), o.pollMs, logger);

  const backoff = (n: number) => Math.min(o.backoffBaseMs * 2 ** (n - 1), o.backoffCapMs);

  /** Removes a settled message's queue item (its leases expire and are swept: one write less per message). */
  async function discard(messageId: string) {
    await models.SmsQueue.deleteOne({ _id: messageId }).exec();
  }

  /** Settles a message for good: its outcome first, then its queue item goes. */
  async function settle(messageId: string, update: Record<string, unknown>) {
    await models.SmsMessage.updateOne({ _id: messageId }, update).exec();
    await discard(messageId);
  }

  /** A provider error as stored, with any secret value a provider might echo blanked out. */
  const describe = (e: ProviderError, message: SmsMessageDoc) =>
    Object.values(message.secrets ?? {}).reduce((text, secret) => (secret ? text.split(secret).join('***') : text), `${e.code}: ${e.message}`);

  async function fail(message: SmsMessageDoc, n: number, e: ProviderError) {
    await settle(message._id, { $set: { status: 'FAILED', failedAt: new Date(), lastError: describe(e, message), provider: o.provider.name }, $unset: { secrets: 1 } });
    logger.warn({ messageId: message._id, kind: message.kind, attempt: n, error: e.code }, 'sms failed');
  }

  /** Claims the next attempt at a queued message, or answers null when another sender holds it. */
  async function claim(item: SmsQueueDoc): Promise<Claim | null> {
    let n = item.attempts + 1;
    let expiresAt: Date;
    for (;;) {
      expiresAt = new Date(Date.now() + o.leaseMs);
      if (await claimOnce(leases, leaseKey(item._id, n), { sender: senderId, at: new Date(), expiresAt })) break;
      const held = await models.SmsLease.findById(leaseKey(item._id, n)).lean<SmsLeaseDoc>().exec();
      if (held && held.expiresAt.getTime() > Date.now()) return null;
      n++; // that attempt's sender died (or the message was settled and its leases swept)
    }
    const message = await models.SmsMessage.findById(item._id).lean<SmsMessageDoc>().exec();
    if (!message || finalStatuses.has(message.status)) {
      await discard(item._id); // a stale queue item of a settled message
      return null;
    }
    if (n > o.maxAttempts) {
      await fail(message, n, new ProviderError('ATTEMPTS_EXHAUSTED', '重试次数已用尽（发送进程曾中断）', false));
      return null;
    }
    await models.SmsQueue.updateOne({ _id: item._id }, { $set: { attempts: n, dueAt: expiresAt } }).exec();
    await models.SmsMessage.updateOne({ _id: item._id }, { $set: { status: 'SENDING', attempts: n } }).exec();
    return { message, attempt: n, expiresAt, sendBy: new Date(expiresAt.getTime() - (o.leaseMs + o.providerTimeoutMs) / 2) };
  }

  /** The message's phone: stored, or looked up from its recipient (and stored). */
  async function phoneOf(message: SmsMessageDoc): Promise<string> {
    if (message.phone) return message.phone;
    if (!message.recipientId || !o.contacts) throw new ProviderError('NO_PHONE', '收件人无手机号码', false);
    let contact;
    try {
      contact = (await o.contacts.byIds([message.recipientId])).get(message.recipientId);
    } catch (err) {
      if (err instanceof AppError || err instanceof RouteMissingError) throw new ProviderError('CONTACTS_UNAVAILABLE', '身份服务暂不可用，无法获取手机号码', true);
      throw err;
    }
    if (!contact?.phone) throw new ProviderError('NO_PHONE', '收件人未登记手机号码', false);
    if (!mobilePattern.test(contact.phone)) throw new ProviderError('BAD_PHONE', '收件人手机号码格式不正确', false);
    await models.SmsMessage.updateOne({ _id: message._id }, { $set: { phone: contact.phone } }).exec();
    return contact.phone;
  }

  function compose(message: SmsMessageDoc, phone: string): OutgoingSms {
    const template = templates[message.kind].sms;
    if (!template) throw new ProviderError('NO_TEMPLATE', `${message.kind} 没有短信模板`, false);
    const values = { ...message.variables, ...message.secrets };
    const params = template.variables.map((name) => ({ name, value: values[name] ?? '' }));
    return { messageId: message._id, phone, kind: message.kind, params, text: `【${o.signName}】${render(template.text, values)}` };
  }

  /**
   * Records SENT. The provider has accepted the message, so a database hiccup here must not
   * turn into another attempt: the write is retried for a while before giving up (the message
   * would then be sent again after its lease: the one window a crash can still duplicate).
   */
  async function recordSent(message: SmsMessageDoc, update: Record<string, unknown>) {
    for (const wait of [200, 1000, 3000, 0]) {
      try {
        return await settle(message._id, update);
      } catch (err) {
        if (!wait) throw err;
        logger.warn({ messageId: message._id, err: (err as Error).message }, 'recording a sent sms failed; retrying');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** Sends a claimed message once and records the outcome. */
  async function deliver({ message, attempt: n, sendBy }: Claim): Promise<void> {
    let result: { providerMessageId: string | null };
    try {
      const sms = compose(message, await phoneOf(message));
      if (Date.now() > sendBy.getTime()) throw new ProviderError('LEASE_SHORT', '租约剩余时间不足，稍后重试', true);
      result = await o.provider.send(sms, AbortSignal.timeout(o.providerTimeoutMs));
    } catch (err) {
      const e = err instanceof ProviderError ? err : transportError(err);
      if (!e.retryable || n >= o.maxAttempts) return fail(message, n, e);
      const retryInMs = backoff(n);
      await models.SmsMessage.updateOne({ _id: message._id }, { $set: { status: 'QUEUED', lastError: describe(e, message), provider: o.provider.name } }).exec();
      const dueAt = new Date(Date.now() + retryInMs);
      await models.SmsQueue.updateOne({ _id: message._id }, { $set: { dueAt } }).exec();
      loop.wakeAt(dueAt);
      logger.warn({ messageId: message._id, kind: message.kind, attempt: n, error: e.code, retryInMs }, 'sms attempt failed; will retry');
      return;
    }
    await recordSent(message, { $set: { status: 'SENT', sentAt: new Date(), provider: o.provider.name, providerMessageId: result.providerMessageId, lastError: null }, $unset: { secrets: 1 } });
    logger.info({ messageId: message._id, kind: message.kind, attempt: n, provider: o.provider.name }, 'sms sent');
  }

  /**
   * One pass over due queue items; answers how many it sent or settled. No sort: in natural
   * order FerretDB's SQLite backend stops scanning at the limit (sorting by dueAt reads the
   * whole queue, ~0.8 s at 10,000 items); the batch is shuffled so several senders spread out.
   */
  async function tick(): Promise<number> {
    const due = await models.SmsQueue.find({ dueAt: { $lte: new Date() } }).limit(o.concurrency * 4).lean<SmsQueueDoc[]>().exec();
    for (let i = due.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [due[i], due[j]] = [due[j]!, due[i]!]; }
    let done = 0;
    const work = async () => {
      for (let item = due.shift(); item; item = due.shift()) {
        try {
          const claimed = await claim(item);
          if (claimed) { await deliver(claimed); done++; }
        } catch (err) {
          // The database failed under this item: its lease (if taken) expires and it is retried.
          logger.warn({ messageId: item._id, err: (err as Error).message }, 'sms attempt interrupted');
        }
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, work));
    return done;
  }

  return {
    senderId,
    claim,
    deliver,
    tick,
    /** Wakes the loop now (a message was queued in this process). */
    kick: loop.kick,
    start: loop.start,
    stop: loop.stop,
  };
}
export type Sender = ReturnType<typeof createSender>;
