import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * An integrator's application (接入应用), registered by an administrator. `_id` is its OAuth
 * `client_id`, so the token endpoint and the gateway's per-request check read it by `_id`.
 * Secrets are kept only as HMAC digests; several may be live during a rotation's overlap.
 */
export const applicationSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true, trim: true, maxlength: 60 },
    organisation: { type: String, required: true, trim: true, maxlength: 100 },
    kind: { type: String, required: true, enum: ['LAW_FIRM', 'PROCURATORATE_SYSTEM'] },
    /** A procuratorate system's own procuratorate: the only data it reaches. */
    procuratorateId: String,
    redirectUris: { type: [String], default: [] },
    scopes: { type: [String], default: [] },
    /** Requests per minute the application may make (enforced by the gateway's per-app limits). */
    rateLimitPerMinute: { type: Number, required: true, min: 1, max: 100_000 },
    contactName: { type: String, required: true, trim: true, maxlength: 40 },
    contactPhone: { type: String, required: true, match: /^[0-9+][0-9-]{4,19}$/ },
    contactEmail: { type: String, trim: true, maxlength: 100 },
    status: { type: String, required: true, enum: ['ACTIVE', 'SUSPENDED'], default: 'ACTIVE' },
    secrets: {
      type: [
        {
          _id: false,
          id: { type: String, required: true },
          digest: { type: String, required: true },
          createdAt: { type: Date, required: true },
          /** Set when a newer secret replaced it: usable until then (the overlap window). */
          expiresAt: Date,
        },
      ],
      default: [],
    },
    createdBy: { type: String, required: true },
    suspendedAt: Date,
    /** Only its registered operations run (unset: the deployment's default, on in production). */
    registeredOperationsOnly: Boolean,
    /** Changes whenever its registered operations change: the gateway's cache key for them. */
    operationsRevision: String,
  },
  { timestamps: true, versionKey: false },
);

export type ApplicationDoc = InferSchemaType<typeof applicationSchema> & {
  _id: string;
  createdAt: Date;
  updatedAt: Date;
};
export const applicationModel = (c: Connection) =>
  c.model('Application', applicationSchema, 'applications');
