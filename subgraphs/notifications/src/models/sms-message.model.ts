import { Schema, type Connection } from 'mongoose';
import { newId } from '@yuejuan/runtime';
import { messageKinds, type MessageKind } from './notification.model.ts';

export const smsStatuses = ['QUEUED', 'SENT', 'DELIVERED', 'FAILED'] as const;
export type SmsStatus = (typeof smsStatuses)[number];

/**
 * One settled SMS of the outbox (SENT, DELIVERED or FAILED): inserted, whole, when the sender
 * settles it; until then the message is its queue item (`sms_queue`). Administrators list
 * both. Sensitive variables (codes, passwords) never reach this collection: they live in the
 * queue item only.
 */
const smsMessageSchema = new Schema(
  {
    _id: { type: String, default: newId },
    dedupeKey: { type: String, required: true },
    kind: { type: String, required: true, enum: messageKinds },
    /** Null until resolved from the recipient (identity's contacts) by the sender. */
    phone: { type: String, default: null },
    recipientId: { type: String, default: null },
    recipientRole: { type: String, enum: ['LAWYER', 'PROSECUTOR', null], default: null },
    variables: { type: Object, default: {} },
    source: { type: String, required: true, enum: ['EVENT', 'INTERNAL'] },
    status: { type: String, required: true, enum: ['SENT', 'DELIVERED', 'FAILED'] },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
    provider: { type: String, default: null },
    providerMessageId: { type: String, default: null },
    sentAt: { type: Date, default: null },
    deliveredAt: { type: Date, default: null },
    failedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, minimize: false },
);
smsMessageSchema.index({ phone: 1, _id: -1 });
smsMessageSchema.index({ status: 1, _id: -1 });

export interface SmsMessageDoc extends SmsPayload {
  _id: string;
  dedupeKey: string;
  source: 'EVENT' | 'INTERNAL';
  status: SmsStatus;
  attempts: number;
  lastError: string | null;
  provider: string | null;
  providerMessageId: string | null;
  createdAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
}

/** What the sender needs to send a message, copied into its queue item at intake. */
export interface SmsPayload {
  kind: MessageKind;
  phone: string | null;
  recipientId: string | null;
  recipientRole: 'LAWYER' | 'PROSECUTOR' | null;
  variables: Record<string, string>;
  /** The sensitive variables: they live only here, and go with the queue item. */
  secrets?: Record<string, string>;
  /** The trace of the request or event that queued it: each attempt's span joins it. */
  traceparent?: string;
}

/**
 * The messages not yet settled, one queue item each, deleted when settled: what the sender
 * scans. An item carries the whole message, so the hot path never reads or updates the (ever
 * growing) settled collection: on FerretDB 1.24's SQLite backend every lookup, update and
 * delete, even by `_id`, scans its table (the `_id` index is on `->"_id"`, the queries use
 * `->'$._id'`), whereas an insert costs the same at any size. Settling is one insert into
 * `sms_messages` and the deletion of the item (a scan of the backlog only).
 */
const smsQueueSchema = new Schema(
  {
    _id: { type: String, required: true },
    dedupeKey: { type: String, required: true },
    source: { type: String, required: true, enum: ['EVENT', 'INTERNAL'] },
    /** Always QUEUED: a claim writes nothing but its lease (one write less per message). */
    status: { type: String, required: true, enum: ['QUEUED'], default: 'QUEUED' },
    /** When the next attempt may start. Senders skip items whose lease they saw held. */
    dueAt: { type: Date, required: true },
    /** Attempts known to be over (set on a retry); the next claim inserts lease `${_id}:attempt:${attempts + 1}`. */
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
    provider: { type: String, default: null },
    /** What the sender sends. */
    payload: { type: Object, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, minimize: false },
);
smsQueueSchema.index({ dueAt: 1 });
export interface SmsQueueDoc {
  _id: string;
  dedupeKey: string;
  source: 'EVENT' | 'INTERNAL';
  status: 'QUEUED';
  dueAt: Date;
  attempts: number;
  lastError: string | null;
  provider: string | null;
  payload: SmsPayload;
  createdAt: Date;
}

/** A queue item as administrators see it: a QUEUED message, without its secrets. */
export function pendingMessage(item: SmsQueueDoc): SmsMessageDoc {
  const p = item.payload;
  return {
    _id: item._id,
    dedupeKey: item.dedupeKey,
    kind: p.kind,
    phone: p.phone,
    recipientId: p.recipientId,
    recipientRole: p.recipientRole,
    variables: p.variables,
    source: item.source,
    status: 'QUEUED',
    attempts: item.attempts,
    lastError: item.lastError ?? null,
    provider: item.provider ?? null,
    providerMessageId: null,
    createdAt: item.createdAt,
    sentAt: null,
    deliveredAt: null,
    failedAt: null,
  };
}

export const smsMessageModel = (c: Connection) =>
  c.model('SmsMessage', smsMessageSchema, 'sms_messages');
export const smsQueueModel = (c: Connection) =>
  c.model('SmsQueueItem', smsQueueSchema, 'sms_queue');
