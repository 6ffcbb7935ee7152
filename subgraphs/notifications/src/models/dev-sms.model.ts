import { Schema, type Connection } from 'mongoose';

/**
 * What the development SMS sink "sent" (the demo's SMS inbox), keyed by our message id so a
 * second send of one message is absorbed. Production refuses the development sink.
 */
const devSmsSchema = new Schema(
  {
    _id: { type: String, required: true },
    phone: { type: String, required: true },
    kind: String,
    text: { type: String, required: true },
    sentAt: { type: Date, required: true },
  },
  { versionKey: false },
);
devSmsSchema.index({ phone: 1, _id: -1 });
export interface DevSmsDoc {
  _id: string;
  phone: string;
  kind: string;
  text: string;
  sentAt: Date;
}
export const devSmsModel = (c: Connection) => c.model('DevSms', devSmsSchema, 'dev_sms');
