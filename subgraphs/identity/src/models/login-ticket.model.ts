import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A scan-login ticket (律师认证登录). `_id` and `nonce` go into the QR; the ticket secret the
 * creating browser holds is stored only as its SHA-256. The status is not stored: it follows
 * from the step documents (scan, decision, redemption) claimed once each, and the clock.
 */
export const loginTicketSchema = new Schema(
  {
    _id: { type: String, required: true },
    nonce: { type: String, required: true },
    secretHash: { type: String, required: true },
    ip: { type: String, required: true },
    userAgent: { type: String, default: '' },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

export type LoginTicketDoc = InferSchemaType<typeof loginTicketSchema> & {
  _id: string;
  createdAt: Date;
};
export const loginTicketModel = (c: Connection) =>
  c.model('LoginTicket', loginTicketSchema, 'login_tickets');
