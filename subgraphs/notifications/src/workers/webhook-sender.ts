import { randomBytes } from 'node:crypto';
import { claimOnce, isDuplicateKey, type Logger } from '@yuejuan/runtime';
import { nativeCollection } from '../models/index.ts';
import type {
  WebhookAttemptDoc,
  WebhookEndpointDoc,
  WebhookLeaseDoc,
  WebhookMessageDoc,
  WebhookModels,
  WebhookQueueDoc,
} from '../models/webhook.model.ts';
import type { WebhookAccess } from '../services/webhook-access.service.ts';
import type { WebhookEndpoints } from '../services/webhook-endpoints.service.ts';
import { webhookDeliveriesTotal, webhookDeliverySeconds } from '../webhooks/metrics.ts';
import { signatureHeaders } from '../webhooks/signing.ts';
import { createLoop } from './loop.ts';
import { postWebhook, type PostResult } from './webhook-post.ts';

export interface WebhookSenderOptions {
  models: WebhookModels;
  endpoints: WebhookEndpoints;
  access: WebhookAccess;
  logger: Logger;
  leaseMs: number;
  timeoutMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  retryWindowMs: number;
  disableAfterMs: number;
  concurrency: number;
  pollMs: number;
  allowPrivate: boolean;
  senderId?: string;
}

interface Claim {
  item: WebhookQueueDoc;
  attempt: number;
  sendBy: number;
  /** Attempts before this one whose leases were taken but whose run was not recorded (a sender died). */
  orphans: number[];
}

const leaseKey = (itemId: string, n: number) => `${itemId}:attempt:${n}`;

/**
 * The webhook sender, with the SMS sender's discipline. Each attempt of a delivery run (a queue
 * item) is claimed by inserting the lease `${itemId}:attempt:${n}`: of concurrent senders
 * exactly one wins attempt n. The request starts only early in the lease and is cut off by its
 * timeout (≤ lease/2), so a live sender never overlaps the next attempt. A 2xx is recorded (the
 * attempt in the log, the message DELIVERED, the item deleted) before anything else: once that
 * is written no sender posts the run again. A sender killed after the receiver answered and
 * before that write leaves the run to be taken over when its lease ends, and the receiver gets
 * the same `webhook-id` again: the at-least-once window receivers close by de-duplicating on
 * `webhook-id`. A takeover first reads the orphaned attempts' log entries, so a run whose 2xx was
 * recorded is not posted again. Failures retry after `min(base·2^(n-1), cap)` ±20 %, for
 * WEBHOOK_RETRY_WINDOW_MS from the run's start; then the message is FAILED. An endpoint whose
 * every attempt failed for WEBHOOK_DISABLE_AFTER_MS is disabled. Up to `concurrency` requests
 * are in flight; a finished one wakes the loop for the next.
 */
export function createWebhookSender(o: WebhookSenderOptions) {
  const { models, logger } = o;
  const senderId = o.senderId ?? `webhooks-${process.pid}-${randomBytes(3).toString('hex')}`;
  const leases = nativeCollection(models.WebhookLease);
  const attemptLog = nativeCollection(models.WebhookAttempt);
  const inFlight = new Set<string>();
  const running = new Set<Promise<void>>();
  const heldUntil = new Map<string, number>();
  let halted = true;
  const loop = createLoop('webhook-sender', () => pass(), o.pollMs, logger);

  const backoff = (n: number) => {
    const base = Math.min(o.backoffBaseMs * 2 ** (n - 1), o.backoffCapMs);
    return Math.round(base * (0.8 + Math.random() * 0.4));
  };

  /** A write that must land (the outcome of a request already made): retried for a while. */
  async function persist(what: string, write: () => Promise<unknown>) {
    for (const wait of [200, 1000, 3000, 0]) {
      try {
        await write();
        return;
      } catch (err) {
        if (!wait) throw err;
        logger.warn({ err: (err as Error).message, what }, 'webhook write failed; retrying');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async function claim(item: WebhookQueueDoc): Promise<Claim | null> {
    let n = item.attempts + 1;
    for (;;) {
      const expiresAt = Date.now() + o.leaseMs;
      if (
        await claimOnce(leases, leaseKey(item._id, n), {
          sender: senderId,
          at: new Date(),
          expiresAt: new Date(expiresAt),
        })
      ) {
        heldUntil.delete(item._id);
        const orphans: number[] = [];
        for (let k = item.attempts + 1; k < n; k++) orphans.push(k);
        return { item, attempt: n, sendBy: expiresAt - (o.leaseMs + o.timeoutMs) / 2, orphans };
      }
      const held = await models.WebhookLease.findById(leaseKey(item._id, n))
        .lean<WebhookLeaseDoc>()
        .exec();
      if (held && held.expiresAt.getTime() > Date.now()) {
        heldUntil.set(item._id, held.expiresAt.getTime());
        loop.wakeAt(held.expiresAt); // taken over then, if its sender died
        return null;
      }
      n++; // that attempt's sender died
    }
  }

  const logAttempt = (c: Claim, m: WebhookMessageDoc, r: PostResult, ok: boolean) =>
    persist('attempt', async () => {
      try {
        await attemptLog.insertOne({
          _id: `${c.item._id}:${c.attempt}`,
          messageId: m._id,
          endpointId: m.endpointId,
          applicationId: m.applicationId,
          replay: !!c.item.replayId,
          attempt: c.attempt,
          outcome: ok ? 'SUCCEEDED' : 'FAILED',
          httpStatus: r.httpStatus,
          latencyMs: r.latencyMs,
          error: r.error,
          at: new Date(),
        } as never);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    });

  const removeItem = (id: string) =>
    persist('dequeue', () => models.WebhookQueue.deleteOne({ _id: id }).exec());

  /** Ends a run without a request: the endpoint is off or the application may no longer read it. */
  async function cancel(c: Claim, m: WebhookMessageDoc, reason: string) {
    await persist('cancel', () =>
      models.WebhookMessage.updateOne(
        { _id: m._id },
        {
          $set: {
            ...(m.status === 'PENDING' ? { status: 'CANCELLED', finishedAt: new Date() } : {}),
            lastError: reason,
            nextAttemptAt: null,
          },
        },
      ).exec(),
    );
    await removeItem(c.item._id);
    webhookDeliveriesTotal.inc({ outcome: 'cancelled' });
    logger.info({ messageId: m._id, reason }, 'webhook delivery cancelled');
  }

  async function succeeded(c: Claim, m: WebhookMessageDoc, e: WebhookEndpointDoc, r: PostResult) {
    await logAttempt(c, m, r, true);
    const at = new Date();
    await persist('delivered', () =>
      models.WebhookMessage.updateOne(
        { _id: m._id },
        {
          $set: {
            status: 'DELIVERED',
            attempts: m.attempts + 1,
            lastHttpStatus: r.httpStatus,
            lastLatencyMs: r.latencyMs,
            lastError: null,
            nextAttemptAt: null,
            deliveredAt: at,
            finishedAt: at,
          },
        },
      ).exec(),
    );
    await removeItem(c.item._id);
    if (e.failingSince)
      await models.WebhookEndpoint.updateOne(
        { _id: e._id },
        { $set: { failingSince: null } },
      ).exec();
    webhookDeliveriesTotal.inc({ outcome: 'delivered' });
  }

  async function failed(c: Claim, m: WebhookMessageDoc, e: WebhookEndpointDoc, r: PostResult) {
    await logAttempt(c, m, r, false);
    const now = Date.now();
    const since = e.failingSince ?? new Date(now);
    if (!e.failingSince)
      await models.WebhookEndpoint.updateOne(
        { _id: e._id, failingSince: null },
        { $set: { failingSince: since } },
      ).exec();
    const dueAt = new Date(now + backoff(c.attempt));
    const shown = {
      attempts: m.attempts + 1,
      lastHttpStatus: r.httpStatus,
      lastLatencyMs: r.latencyMs,
      lastError: r.error ?? `HTTP ${r.httpStatus}`,
    };
    if (dueAt.getTime() > c.item.createdAt.getTime() + o.retryWindowMs) {
      await persist('failed', () =>
        models.WebhookMessage.updateOne(
          { _id: m._id },
          {
            $set: {
              ...shown,
              ...(m.status === 'DELIVERED' ? {} : { status: 'FAILED' }),
              nextAttemptAt: null,
              finishedAt: new Date(),
            },
          },
        ).exec(),
      );
      await removeItem(c.item._id);
      webhookDeliveriesTotal.inc({ outcome: 'failed' });
      logger.warn({ messageId: m._id, attempt: c.attempt }, 'webhook delivery failed for good');
    } else {
      await persist('retry', () =>
        models.WebhookQueue.updateOne(
          { _id: c.item._id },
          { $set: { attempts: c.attempt, dueAt } },
        ).exec(),
      );
      await persist('retry', () =>
        models.WebhookMessage.updateOne(
          { _id: m._id },
          { $set: { ...shown, nextAttemptAt: dueAt } },
        ).exec(),
      );
      loop.wakeAt(dueAt);
      webhookDeliveriesTotal.inc({ outcome: 'retry' });
    }
    if (now - since.getTime() >= o.disableAfterMs) await o.endpoints.disableFailing(e, since);
  }

  async function run(c: Claim): Promise<void> {
    const { item } = c;
    if (c.orphans.length) {
      // A sender died holding earlier attempts: if one of them was answered 2xx and recorded,
      // the run is over (it died before deleting the item).
      const logged = await models.WebhookAttempt.find({
        _id: { $in: c.orphans.map((k) => `${item._id}:${k}`) },
      })
        .lean<WebhookAttemptDoc[]>()
        .exec();
      if (logged.some((a) => a.outcome === 'SUCCEEDED')) return removeItem(item._id);
    }
    const m = await models.WebhookMessage.findById(item.messageId).lean<WebhookMessageDoc>().exec();
    if (!m || (!item.replayId && m.status !== 'PENDING')) return removeItem(item._id);
    const e = await o.endpoints.find(m.endpointId);
    if (!e || e.status !== 'ACTIVE') return cancel(c, m, '接收地址已停用');
    if (c.attempt > 1 || item.replayId) {
      // Again before a retry or a replay: a grant revoked meanwhile stops the delivery.
      const [ok] = await o.access.check([{ clientId: m.applicationId, ...m.access }]);
      if (!ok) return cancel(c, m, '应用已无权读取此事件（授权已撤销或应用已停用）');
    }
    if (Date.now() > c.sendBy) {
      // Too little of the lease left to post and record: try again soon, as a new attempt.
      await models.WebhookQueue.updateOne(
        { _id: item._id },
        { $set: { attempts: c.attempt, dueAt: new Date() } },
      ).exec();
      return;
    }
    const body = item.replayId
      ? JSON.stringify({
          ...(JSON.parse(m.body) as object),
          replay: { id: item.replayId, requestedAt: item.createdAt.toISOString() },
        })
      : m.body;
    const headers = signatureHeaders(m._id, new Date(), body, o.endpoints.signingSecrets(e));
    const r = await postWebhook(e.url, body, headers, {
      timeoutMs: o.timeoutMs,
      allowPrivate: o.allowPrivate,
    });
    webhookDeliverySeconds.observe(r.latencyMs / 1000);
    if (r.httpStatus !== null && r.httpStatus >= 200 && r.httpStatus < 300)
      await succeeded(c, m, e, r);
    else await failed(c, m, e, r);
  }

  /** Claims due runs while slots are free and starts them; answers how many it started. */
  async function pass(): Promise<number> {
    const free = o.concurrency - inFlight.size;
    // Refill once half of the slots are free: one queue scan per batch, not per delivery (on
    // FerretDB the scan reads the whole queue).
    if (halted || free < Math.max(1, Math.floor(o.concurrency / 2))) return 0;
    const now = Date.now();
    // No sort: in natural order FerretDB stops scanning at the limit. Shuffled so that several
    // senders reading the same head of the queue mostly try different items.
    const due = await models.WebhookQueue.find({ dueAt: { $lte: new Date(now) } })
      .limit(Math.max(32, o.concurrency * 4) + inFlight.size)
      .lean<WebhookQueueDoc[]>()
      .exec();
    for (let i = due.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [due[i], due[j]] = [due[j]!, due[i]!];
    }
    if (heldUntil.size > 10_000)
      for (const [id, t] of heldUntil) if (t <= now) heldUntil.delete(id);
    let started = 0;
    for (const item of due) {
      if (started >= free || halted) break;
      if (inFlight.has(item._id) || (heldUntil.get(item._id) ?? 0) > now) continue;
      inFlight.add(item._id);
      let c: Claim | null = null;
      try {
        c = await claim(item);
      } finally {
        if (!c) inFlight.delete(item._id);
      }
      if (!c) continue;
      started++;
      const p: Promise<void> = run(c)
        .catch((err: Error) =>
          // The database failed under this run: its lease expires and it is taken over.
          logger.warn({ itemId: item._id, err: err.message }, 'webhook attempt interrupted'),
        )
        .finally(() => {
          inFlight.delete(item._id);
          running.delete(p);
          loop.kick();
        });
      running.add(p);
    }
    return started;
  }

  return {
    senderId,
    pass,
    /** Wakes the loop now (a message was queued in this process). */
    kick: () => loop.kick(),
    start() {
      halted = false;
      loop.start();
    },
    /** Claims nothing more, and returns once the requests in flight are recorded. */
    async stop() {
      halted = true;
      await loop.stop();
      await Promise.all([...running]);
    },
  };
}
export type WebhookSender = ReturnType<typeof createWebhookSender>;
