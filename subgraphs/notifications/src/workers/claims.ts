import { claimOnce } from '@yuejuan/runtime';
import {
  nativeCollection,
  type NotificationsModels,
  type SmsLeaseDoc,
  type SmsPayload,
  type SmsQueueDoc,
} from '../models/index.ts';

/** How long expired leases are kept (the sweep deletes older ones). */
export const leaseRetentionMs = 3_600_000;

export const leaseKey = (messageId: string, n: number) => `${messageId}:attempt:${n}`;

/** A message as the sender sends it: its queue item's payload under the message id. */
export interface Sendable extends SmsPayload {
  _id: string;
  dedupeKey: string;
  source: 'EVENT' | 'INTERNAL';
  createdAt: Date;
}

/**
 * A claimed attempt: this sender alone may work on the message until `expiresAt`, and may
 * start the provider call only until `sendBy`, which leaves half of what the call does not
 * use of the lease for recording the outcome.
 */
export interface Claim {
  message: Sendable;
  attempt: number;
  expiresAt: Date;
  sendBy: Date;
}

export interface ClaimsOptions {
  models: NotificationsModels;
  senderId: string;
  leaseMs: number;
  providerTimeoutMs: number;
  maxAttempts: number;
  /** How many due queue items one scan reads (the head holds items in flight elsewhere). */
  scanLimit: number;
  /** Removes the queue item of a message already final. */
  discard: (messageId: string) => Promise<void>;
  /** Gives up a message whose attempts ran out while senders died holding it. */
  exhaust: (message: Sendable, n: number) => Promise<void>;
  /** Runs a write after this process's other writes (SQLite has one writer). */
  serial: <T>(write: () => Promise<T>) => Promise<T>;
}

type WriteError = { index: number; code?: number };
const writeErrorsOf = (err: unknown): WriteError[] | null => {
  const we = (err as { writeErrors?: WriteError | WriteError[] }).writeErrors;
  return we === undefined ? null : ([] as WriteError[]).concat(we);
};

/**
 * Claims of the outbox sender. Each attempt at a message is claimed by inserting the lease
 * document `${messageId}:attempt:${n}` (unique `_id`): of concurrent senders exactly one wins
 * attempt n. A batch of fresh items is claimed with one `insertMany` (unordered: the server
 * reports each duplicate by its index, and inserts the rest). A lost claim is not read back
 * (a lookup scans the lease table): the item is skipped until a lease could have ended, then
 * goes through `claim`, which reads the lease and, if it expired (its sender died), claims
 * the next attempt.
 */
export function createClaims(o: ClaimsOptions) {
  const { models } = o;
  const leases = nativeCollection(models.SmsLease);
  /** Items whose lease another sender held: not tried again before then. */
  const heldUntil = new Map<string, number>();
  const claimOf = (message: Sendable, attempt: number, expiresAt: Date): Claim => ({
    message,
    attempt,
    expiresAt,
    sendBy: new Date(expiresAt.getTime() - (o.leaseMs + o.providerTimeoutMs) / 2),
  });

  /**
   * After winning attempt n: the message to send, or null when there is nothing to send.
   * `verify` looks for the settled message first: needed after a takeover (a sender that held
   * the item may have settled it and died before deleting it, or a replayed intake may have
   * re-queued it) and for items so old that their leases may have been swept.
   */
  async function won(
    item: SmsQueueDoc,
    n: number,
    expiresAt: Date,
    verify: boolean,
  ): Promise<Claim | null> {
    const message: Sendable = {
      _id: item._id,
      dedupeKey: item.dedupeKey,
      source: item.source,
      createdAt: item.createdAt,
      ...item.payload,
    };
    if (verify && (await models.SmsMessage.exists({ _id: item._id }).exec())) {
      await o.discard(item._id); // a stale queue item of a settled message (only settled messages are stored)
      return null;
    }
    if (n > o.maxAttempts) {
      await o.exhaust(message, n);
      return null;
    }
    return claimOf(message, n, expiresAt);
  }

  /** Claims the next attempt at one queued message, or answers null when another sender holds it. */
  async function claim(item: SmsQueueDoc): Promise<Claim | null> {
    let n = item.attempts + 1;
    let expiresAt: Date;
    for (;;) {
      expiresAt = new Date(Date.now() + o.leaseMs);
      if (
        await claimOnce(leases, leaseKey(item._id, n), {
          sender: o.senderId,
          at: new Date(),
          expiresAt,
        })
      )
        break;
      const held = await models.SmsLease.findById(leaseKey(item._id, n)).lean<SmsLeaseDoc>().exec();
      if (held && held.expiresAt.getTime() > Date.now()) {
        heldUntil.set(item._id, held.expiresAt.getTime());
        return null;
      }
      n++; // that attempt's sender died (or the message was settled and its leases swept)
    }
    heldUntil.delete(item._id);
    return won(item, n, expiresAt, n > item.attempts + 1);
  }

  /**
   * Claims up to `k` due messages that `skip` does not exclude (this sender's own work in
   * flight or settled), reading `extraScan` more queue items than usual for the skipped ones.
   */
  async function claimDue(
    k: number,
    skip: (id: string) => boolean,
    extraScan = 0,
  ): Promise<Claim[]> {
    const now = Date.now();
    // No sort: in natural order FerretDB stops scanning at the limit. Shuffled so that several
    // senders reading the same head of the queue mostly try different items.
    const due = await models.SmsQueue.find({ dueAt: { $lte: new Date(now) } })
      .limit(o.scanLimit + extraScan)
      .lean<SmsQueueDoc[]>()
      .exec();
    for (let i = due.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [due[i], due[j]] = [due[j]!, due[i]!];
    }
    if (heldUntil.size > 10_000)
      for (const [id, t] of heldUntil) if (t <= now) heldUntil.delete(id);
    const fresh: SmsQueueDoc[] = [];
    const recheck: SmsQueueDoc[] = [];
    for (const item of due) {
      if (fresh.length + recheck.length >= k) break;
      if (skip(item._id)) continue;
      const until = heldUntil.get(item._id);
      if (until === undefined) fresh.push(item);
      else if (until <= now) recheck.push(item);
    }
    const claims: Claim[] = [];
    if (fresh.length) {
      const expiresAt = new Date(Date.now() + o.leaseMs);
      const docs = fresh.map((item) => ({
        _id: leaseKey(item._id, item.attempts + 1),
        sender: o.senderId,
        at: new Date(),
        expiresAt,
      }));
      let refused = new Map<number, WriteError>();
      try {
        await o.serial(() => leases.insertMany(docs as never[], { ordered: false }));
      } catch (err) {
        const errors = writeErrorsOf(err);
        if (!errors) throw err; // unknown which landed: any lease taken here expires and is taken over
        refused = new Map(errors.map((e) => [e.index, e]));
      }
      const oldBefore = Date.now() - leaseRetentionMs / 2;
      for (const [i, item] of fresh.entries()) {
        // Held by another sender (or refused for another reason, then perhaps not): try again
        // once a lease taken now would have ended.
        if (refused.has(i)) {
          heldUntil.set(item._id, expiresAt.getTime());
          continue;
        }
        const c = await won(item, item.attempts + 1, expiresAt, item.dueAt.getTime() < oldBefore);
        if (c) claims.push(c);
      }
    }
    for (const item of recheck) {
      const c = await claim(item);
      if (c) claims.push(c);
    }
    return claims;
  }

  return { claim, claimDue };
}
export type Claims = ReturnType<typeof createClaims>;
