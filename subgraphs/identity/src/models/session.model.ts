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
    method: {
      type: String,
      required: true,
      enum: ['SCAN', 'SMS_CODE', 'PASSWORD', 'PROSECUTOR', 'ADMINISTRATOR'],
    },
    /** The verifier device that confirmed a scan login: revoking it ends the session. */
    deviceId: String,
    verifiedUntil: Date,
    /** First login of a chain of renewals: renewal stops SESSION_MAX_LIFETIME_SECONDS after it. */
    startedAt: Date,
    /**
     * Step-ups this session's verifier confirmed, kept on the session so the gateway's
     * per-request resolution stays one `_id` read; the acting subgraph makes each single use.
     */
    stepUps: {
      type: [{ _id: false, id: String, purpose: String, confirmedAt: Date, deviceId: String }],
      default: undefined,
    },
    expiresAt: { type: Date, required: true },
    revokedAt: Date,
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
sessionSchema.index({ sessionId: 1 }, { unique: true });
sessionSchema.index({ subjectId: 1 });
sessionSchema.index({ deviceId: 1 });

export type SessionDoc = InferSchemaType<typeof sessionSchema> & { createdAt: Date };
export const sessionModel = (c: Connection) => c.model('Session', sessionSchema, 'sessions');
