import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

/**
 * A lawyer of the justice ministry's register, imported, and their portal account once they
 * register. The ID number is kept only as a keyed hash (to match activation input) and masked.
 */
export const lawyerSchema = new Schema(
  {
    _id: { type: String, default: newId },
    name: { type: String, required: true, trim: true },
    licenceNumber: { type: String, required: true, match: /^\d{17}$/ },
    idNumberHash: { type: String, required: true },
    idNumberMasked: { type: String, required: true },
    lawFirm: { type: String, required: true, trim: true },
    phone: { type: String, match: /^1[3-9]\d{9}$/ },
    email: { type: String, maxlength: 100 },
    address: { type: String, maxlength: 200 },
    /** argon2id hash (PHC string; see services/password.ts); set from a scan-login session or after a PASSWORD step-up. */
    passwordHash: String,
    registeredAt: Date,
    consent: { version: String, acceptedAt: Date },
  },
  { timestamps: true, versionKey: false },
);
lawyerSchema.index({ licenceNumber: 1 }, { unique: true });

export type LawyerDoc = InferSchemaType<typeof lawyerSchema> & { _id: string };
export const lawyerModel = (c: Connection) => c.model('Lawyer', lawyerSchema, 'lawyers');
