import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

/** One audited download request (a resumed download is several): who, when, from where, how much. */
export const downloadSchema = new Schema(
  {
    _id: { type: String, default: newId },
    packageId: { type: String, required: true },
    lawyerId: { type: String, required: true },
    sessionId: { type: String, required: true },
    grantId: { type: String, required: true },
    ip: { type: String, required: true },
    startedAt: { type: Date, required: true },
    rangeStart: { type: Number, required: true },
    rangeEnd: { type: Number, required: true },
    bytesSent: { type: Number, required: true, default: 0 },
    /** All promised bytes were sent, through the last byte of the zip. */
    completed: { type: Boolean, required: true, default: false },
    finishedAt: Date,
  },
  { versionKey: false },
);
downloadSchema.index({ packageId: 1, _id: -1 });
export type DownloadDoc = InferSchemaType<typeof downloadSchema> & { _id: string };
export const downloadModel = (c: Connection) => c.model('Download', downloadSchema, 'downloads');

/** A short-lived download grant; `_id` is the SHA-256 of the URL's token, so stored grants are not usable URLs. */
export const grantSchema = new Schema(
  {
    _id: { type: String, required: true },
    packageId: { type: String, required: true },
    keyVersion: { type: Number, required: true },
    lawyerId: { type: String, required: true },
    sessionId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    /** SHA-256 of the download key: the credential of a browser-managed download of this grant only. */
    keyHash: String,
  },
  { timestamps: true, versionKey: false },
);
export type GrantDoc = InferSchemaType<typeof grantSchema> & { _id: string };
export const grantModel = (c: Connection) =>
  c.model('DownloadGrant', grantSchema, 'download_grants');
