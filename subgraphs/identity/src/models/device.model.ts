import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

/**
 * A verifier device of a lawyer: the public half of the P-256 key the verifier generated at
 * activation (WebCrypto; the private key never leaves the device). Every scan and
 * confirmation is signed with it.
 */
export const deviceSchema = new Schema(
  {
    _id: { type: String, default: newId },
    lawyerId: { type: String, required: true },
    name: { type: String, required: true, trim: true, maxlength: 60 },
    /** Normalised public JWK `{kty, crv, x, y}` as JSON. */
    publicKeyJwk: { type: String, required: true },
    phone: { type: String, required: true, match: /^1[3-9]\d{9}$/ },
    activationId: { type: String, required: true },
    activatedAt: { type: Date, required: true },
    lastUsedAt: Date,
    revokedAt: Date,
  },
  { versionKey: false },
);
deviceSchema.index({ lawyerId: 1 });

export type DeviceDoc = InferSchemaType<typeof deviceSchema> & { _id: string };
export const deviceModel = (c: Connection) => c.model('Device', deviceSchema, 'devices');
