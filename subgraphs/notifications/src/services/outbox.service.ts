import {
  AppError,
  claimOnce,
  decodeCursor,
  isDuplicateKey,
  lazyPage,
  newId,
  pageSize,
  requireRole,
  traceparentOf,
  type Identity,
  type Logger,
  type PageArgs,
} from '@yuejuan/runtime';
import {
  nativeCollection,
  pendingMessage,
  smsStatuses,
  type MessageKind,
  type NotificationsModels,
  type SmsKeyDoc,
  type SmsMessageDoc,
  type SmsPayload,
  type SmsQueueDoc,
  type SmsStatus,
} from '../models/index.ts';
import { sensitiveVariables } from '../templates.ts';
import type { Recipient } from './notification.service.ts';

export interface NewSms {
  /** `event:<eventId>` or `sms:<caller's dedupeKey>`: one message per key, ever. */
  dedupeKey: string;
  kind: MessageKind;
  /** Known phone, or the recipient whose phone the sender looks up. */
  phone?: string | null;
  recipient?: Recipient | null;
  /** Checked values; sensitive ones are stored apart and removed once sent. */
  values: Record<string, string>;
  source: 'EVENT' | 'INTERNAL';
}

export interface SmsFilter {
  phone?: string | null;
  kind?: MessageKind | null;
  status?: SmsStatus | null;
  from?: string | null;
  to?: string | null;
}

/** Mainland mobile numbers (DOMAIN.md): 11 digits, 1[3-9]…. */
export const mobilePattern = /^1[3-9]\d{9}$/;

const parseTime = (value: string | null | undefined, field: string): Date | undefined => {
  if (!value) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new AppError('BAD_USER_INPUT', '时间格式应为 ISO 8601。', { field });
  return d;
};

/**
 * The SMS outbox: writes each message once per dedupe key into the sender's queue. The key is
 * claimed first (insert under `_id`), then the queue item (the message until it is settled)
 * is inserted under the claimed message id; each step is idempotent, so a replay of a
 * half-done intake (crash between the inserts) finishes it instead of making a second message.
 */
export function createOutbox(models: NotificationsModels, logger: Logger, onQueued: () => void) {
  const keys = nativeCollection(models.SmsKey);

  /** The message id already made from `dedupeKey`, if any. */
  async function existing(dedupeKey: string): Promise<string | null> {
    const key = await models.SmsKey.findById(dedupeKey).lean<SmsKeyDoc>().exec();
    return key?.messageId ?? null;
  }

  return {
    existing,

    /** Queues one SMS; answers its id and whether this call created it. */
    async enqueue(sms: NewSms): Promise<{ messageId: string; created: boolean }> {
      const candidate = newId();
      const won = await claimOnce(keys, sms.dedupeKey, { messageId: candidate, at: new Date() });
      const messageId = won ? candidate : (await existing(sms.dedupeKey))!;
      if (!won) {
        // A replay: a settled message is never queued again. (A replay racing the settlement
        // may re-insert the item: the sender then finds the lease history and the settled
        // message, and discards it.)
        if (await models.SmsMessage.exists({ _id: messageId }).exec())
          return { messageId, created: false };
      }
      const variables: Record<string, string> = {};
      const secrets: Record<string, string> = {};
      const traceparent = traceparentOf();
      for (const [name, value] of Object.entries(sms.values))
        (sensitiveVariables.has(name) ? secrets : variables)[name] = value;
      const payload: SmsPayload = {
        kind: sms.kind,
        phone: sms.phone ?? null,
        recipientId: sms.recipient?.id ?? null,
        recipientRole: sms.recipient?.role ?? null,
        variables,
        ...(Object.keys(secrets).length ? { secrets } : {}),
        ...(traceparent ? { traceparent } : {}),
      };
      // The message is its queue item until settled; re-inserting it (a replay of a half-done
      // intake) is a no-op.
      let created = true;
      try {
        await models.SmsQueue.create({
          _id: messageId,
          dedupeKey: sms.dedupeKey,
          source: sms.source,
          dueAt: new Date(),
          attempts: 0,
          payload,
        });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        created = false;
      }
      if (created) logger.info({ messageId, kind: sms.kind, source: sms.source }, 'sms queued');
      onQueued();
      return { messageId, created };
    },

    /** One message as administrators see it (settled, or still queued), without secrets. */
    async get(messageId: string): Promise<SmsMessageDoc | null> {
      // Queue first: a message is settled before its queue item goes, so one that moves
      // between the two reads is still found.
      const item = await models.SmsQueue.findById(messageId).lean<SmsQueueDoc>().exec();
      const settled = await models.SmsMessage.findById(messageId).lean<SmsMessageDoc>().exec();
      return settled ?? (item ? pendingMessage(item) : null);
    },

    /** Administrators: messages by phone, kind, status and time, newest first. */
    async list(identity: Identity, filter: SmsFilter | null | undefined, args: PageArgs) {
      requireRole(identity, 'ADMINISTRATOR');
      const first = pageSize(args.first);
      const query: Record<string, unknown> = {};
      const queued: Record<string, unknown> = {};
      if (filter?.phone) {
        if (!mobilePattern.test(filter.phone))
          throw new AppError('BAD_USER_INPUT', '手机号码格式不正确。', { field: 'phone' });
        query.phone = filter.phone;
        queued['payload.phone'] = filter.phone;
      }
      if (filter?.kind) query.kind = queued['payload.kind'] = filter.kind;
      if (filter?.status) {
        if (!smsStatuses.includes(filter.status))
          throw new AppError('BAD_USER_INPUT', undefined, { field: 'status' });
        query.status = queued.status = filter.status;
      }
      const from = parseTime(filter?.from, 'from');
      const to = parseTime(filter?.to, 'to');
      if (from || to)
        query.createdAt = queued.createdAt = {
          ...(from ? { $gte: from } : {}),
          ...(to ? { $lte: to } : {}),
        };
      if (args.after) query._id = queued._id = { $lt: decodeCursor(args.after) };
      // Settled messages and queued ones (their queue items), merged newest first; fetched only
      // when the client selects edges or pageInfo (the contract has no totalCount).
      return lazyPage({
        first,
        fetch: async () => {
          // Queue first, as in get(); a message seen in both places is shown as settled.
          const waiting = await models.SmsQueue.find(queued)
            .sort({ _id: -1 })
            .limit(first + 1)
            .lean<SmsQueueDoc[]>()
            .exec();
          const settled = await models.SmsMessage.find(query)
            .sort({ _id: -1 })
            .limit(first + 1)
            .lean<SmsMessageDoc[]>()
            .exec();
          const settledIds = new Set(settled.map((m) => m._id));
          return [...settled, ...waiting.filter((w) => !settledIds.has(w._id)).map(pendingMessage)]
            .sort((x, y) => (x._id < y._id ? 1 : x._id > y._id ? -1 : 0))
            .slice(0, first + 1);
        },
      });
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
