import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A login session. `_id` is the SHA-256 of the bearer token: the token itself is never stored,
 * and the gateway's per-request lookup is an `_id` equality, indexed on every backend.
 */
export const sessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    sessionId: { type: String, required: true },
    role: { type: String, required: true, enum: ['LAWYER', 'PROSECUTOR', 'ADMINISTRATOR'] },
    subjectId: { type: String, required: true },
    procuratorateId: String,
    method: { type: String, required: true, enum: ['SCAN', 'SMS_CODE', 'PASSWORD', 'PROSECUTOR'] },
    verifiedUntil: Date,
    expiresAt: { type: Date, required: true },
    revokedAt: Date,
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
sessionSchema.index({ sessionId: 1 }, { unique: true });
sessionSchema.index({ subjectId: 1 });

export type SessionDoc = InferSchemaType<typeof sessionSchema> & { createdAt: Date };
export const sessionModel = (c: Connection) => c.model('Session', sessionSchema, 'sessions');
