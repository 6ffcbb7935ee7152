import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A verifier activation in progress. `_id` is unguessable (it is the verifier's only handle).
 * The ID number is kept sealed (AES-GCM) only until the face check, which needs it.
 */
export const activationSchema = new Schema(
  {
    _id: { type: String, required: true },
    lawyerId: String,
    /** The personal info did not match the register: told only after the face step, as a face failure is. */
    unmatched: Boolean,
    status: {
      type: String,
      required: true,
      enum: ['INFO_VERIFIED', 'FACE_VERIFIED', 'PHONE_CODE_SENT', 'COMPLETED', 'FAILED'],
    },
    name: String,
    sealedIdNumber: String,
    phone: String,
    failureReason: String,
    ip: String,
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, versionKey: false },
);

export type ActivationDoc = InferSchemaType<typeof activationSchema> & { _id: string };
export const activationModel = (c: Connection) =>
  c.model('Activation', activationSchema, 'activations');
