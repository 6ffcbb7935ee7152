import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

export const packageStatuses = ['PREPARING', 'READY', 'FAILED', 'EXPIRED', 'REVOKED'] as const;
const packedVolume = new Schema(
  {
    volumeId: { type: String, required: true },
    title: { type: String, required: true },
    position: { type: Number, required: true },
    sizeBytes: { type: Number, required: true },
    pageCount: { type: Number, required: true },
    /** Set on volumes added to a published package (补充卷宗): when. */
    supplementedAt: Date,
    /** The published copy with its 遮蔽 burned in (a blob of the volumes bucket), when it has any. */
    publishedBlobId: String,
    /** How many marks were applied. */
    redactions: Number,
  },
  { _id: false },
);

/**
 * The encrypted case-file package of an appointment. `blobId`/`sha256` are set in the same
 * write that makes it READY, after the whole zip is stored, so READY always names a complete
 * zip. `keyVersion` counts builds: a re-key rebuilds and invalidates older grants.
 * The download password is kept only as a scrypt hash; the document password not at all.
 */
export const packageSchema = new Schema(
  {
    _id: { type: String, default: newId },
    appointmentId: { type: String, required: true },
    lawyerId: { type: String, required: true },
    caseId: { type: String, required: true },
    procuratorateId: { type: String, required: true },
    caseName: { type: String, required: true },
    status: { type: String, required: true, enum: packageStatuses, default: 'PREPARING' },
    progress: { type: Number, required: true, default: 0 },
    fileName: { type: String, required: true },
    volumes: { type: [packedVolume], default: [] },
    keyVersion: { type: Number, required: true, default: 1 },
    blobId: String,
    sizeBytes: Number,
    sha256: String,
    downloadPasswordHash: String,
    readyAt: Date,
    expiresAt: Date,
    lockedUntil: Date,
    /** Wrong-password attempts are counted per round; a lock or a success starts the next round. */
    attemptRound: { type: Number, required: true, default: 0 },
    failure: String,
    revokedAt: Date,
    revokeReason: String,
    /** The latest 补充卷宗: the build that adds it, and what it adds (announced when that build is ready). */
    supplement: {
      type: new Schema(
        { keyVersion: { type: Number, required: true }, text: { type: String, required: true } },
        { _id: false },
      ),
      required: false,
    },
  },
  { timestamps: true, versionKey: false },
);

export type PackageDoc = InferSchemaType<typeof packageSchema> & { _id: string };
export const packageModel = (c: Connection) =>
  c.model('CaseFilePackage', packageSchema, 'packages');

/** A build of a package (`_id` = `${packageId}:${keyVersion}`), kept in the database so it survives a restart. */
export const buildJobSchema = new Schema(
  {
    _id: { type: String, required: true },
    packageId: { type: String, required: true },
    keyVersion: { type: Number, required: true },
    status: {
      type: String,
      required: true,
      enum: ['QUEUED', 'RUNNING', 'DONE', 'FAILED'],
      default: 'QUEUED',
    },
    /** Each take-over claims `${_id}:${attempt}` once. */
    attempt: { type: Number, required: true, default: 0 },
    heartbeatAt: Date,
    error: String,
  },
  { timestamps: true, versionKey: false },
);
buildJobSchema.index({ status: 1 });
export type BuildJobDoc = InferSchemaType<typeof buildJobSchema> & { _id: string };
export const buildJobModel = (c: Connection) => c.model('BuildJob', buildJobSchema, 'build_jobs');
