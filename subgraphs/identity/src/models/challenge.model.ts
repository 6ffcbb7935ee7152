import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A step-up challenge (身份核验二维码) of one session and one purpose. Confirmation is a step
 * document claimed once; the acting subgraph makes its use single (requireStepUp).
 */
export const challengeSchema = new Schema(
  {
    _id: { type: String, required: true },
    nonce: { type: String, required: true },
    sessionId: { type: String, required: true },
    lawyerId: { type: String, required: true },
    purpose: {
      type: String,
      required: true,
      enum: [
        'BIND_CASE',
        'APPOINTMENT',
        'READING_APPLICATION',
        'DOWNLOAD',
        'READ_ONLINE',
        'MANAGE_DEVICES',
        'PASSWORD',
        'AUTHORIZE_APP',
      ],
    },
    ip: { type: String, required: true },
    userAgent: { type: String, default: '' },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

export type ChallengeDoc = InferSchemaType<typeof challengeSchema> & {
  _id: string;
  createdAt: Date;
};
export const challengeModel = (c: Connection) =>
  c.model('Challenge', challengeSchema, 'challenges');
