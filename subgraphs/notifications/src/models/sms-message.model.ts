import { Schema, type Connection } from 'mongoose';
import { newId } from '@yuejuan/runtime';
import { messageKinds, type MessageKind } from './notification.model.ts';

export const smsStatuses = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'FAILED'] as const;
export type SmsStatus = (typeof smsStatuses)[number];
/** States after which the sender never touches a message again. */
export const finalStatuses: ReadonlySet<string> = new Set(['SENT', 'DELIVERED', 'FAILED']);

/**
 * One SMS of the outbox: what administrators list. `secrets` holds the sensitive variables
 * (codes, passwords) only until the message is sent or given up, then it is removed.
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
    secrets: { type: Object },
    source: { type: String, required: true, enum: ['EVENT', 'INTERNAL'] },
    status: { type: String, required: true, enum: smsStatuses, default: 'QUEUED' },
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

export interface SmsMessageDoc {
  _id: string;
  dedupeKey: string;
  kind: MessageKind;
  phone: string | null;
  recipientId: string | null;
  recipientRole: 'LAWYER' | 'PROSECUTOR' | null;
  variables: Record<string, string>;
  secrets?: Record<string, string>;
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

/**
 * Work items of the sender: one per message not yet final, deleted when it is. Kept apart
 * from the messages so the sender's scan stays as small as the backlog (FerretDB's SQLite
 * backend scans any filter but `_id`).
 */
const smsQueueSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** When the next attempt may start (a claimed item is due again when its lease ends). */
    dueAt: { type: Date, required: true },
    /** Attempts claimed so far; the next claim inserts lease `${_id}:attempt:${attempts + 1}`. */
    attempts: { type: Number, default: 0 },
  },
  { versionKey: false },
);
smsQueueSchema.index({ dueAt: 1 });
export interface SmsQueueDoc { _id: string; dueAt: Date; attempts: number }

export const smsMessageModel = (c: Connection) => c.model('SmsMessage', smsMessageSchema, 'sms_messages');
export const smsQueueModel = (c: Connection) => c.model('SmsQueueItem', smsQueueSchema, 'sms_queue');
