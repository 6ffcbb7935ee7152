// Decisions that must happen once are inserts under a unique `_id` (FerretDB applies an
// update's filter outside the write): these collections hold nothing else.
import { Schema, type Connection } from 'mongoose';

/** Dedupe key (`event:<eventId>`, `sms:<caller's dedupeKey>`) → the one message made from it. */
const smsKeySchema = new Schema(
  { _id: { type: String, required: true }, messageId: { type: String, required: true }, at: Date },
  { versionKey: false },
);
export interface SmsKeyDoc {
  _id: string;
  messageId: string;
  at: Date;
}

/** One attempt at sending a message: `${messageId}:attempt:${n}`, held by one sender until it expires. */
const smsLeaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    sender: String,
    at: Date,
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
smsLeaseSchema.index({ expiresAt: 1 });
export interface SmsLeaseDoc {
  _id: string;
  sender: string;
  at: Date;
  expiresAt: Date;
}

/** One send counted against a phone's rate limit: `${phone}:${windowSeconds}:${window}:${slot}`. */
const rateSlotSchema = new Schema(
  { _id: { type: String, required: true }, expiresAt: { type: Date, required: true } },
  { versionKey: false },
);
rateSlotSchema.index({ expiresAt: 1 });
export interface RateSlotDoc {
  _id: string;
  expiresAt: Date;
}

export const smsKeyModel = (c: Connection) => c.model('SmsKey', smsKeySchema, 'sms_keys');
export const smsLeaseModel = (c: Connection) => c.model('SmsLease', smsLeaseSchema, 'sms_leases');
export const rateSlotModel = (c: Connection) =>
  c.model('SmsRateSlot', rateSlotSchema, 'sms_rate_slots');
