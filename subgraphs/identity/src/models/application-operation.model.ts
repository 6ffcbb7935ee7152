import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * An operation an administrator registered for an integrator's application (its persisted-
 * operation allowlist). `_id` is `<client id>:<hash>`, so registering the same operation twice
 * is one insert under a unique `_id`, and the gateway's lookups need no other index.
 * `hash` is what the application sends (`extensions.persistedQuery.sha256Hash`): the sha256 of
 * the document as registered (a persisted-documents manifest's key, or our canonical form for
 * a pasted document); `canonicalHash` is the sha256 of its canonical form, so the same
 * operation sent as text, with other whitespace or fragment order, is recognised too.
 */
export const applicationOperationSchema = new Schema(
  {
    _id: { type: String, required: true },
    clientId: { type: String, required: true },
    hash: { type: String, required: true, match: /^[0-9a-f]{64}$/ },
    canonicalHash: { type: String, required: true, match: /^[0-9a-f]{64}$/ },
    /** The operation's name (null when anonymous). */
    name: String,
    type: { type: String, required: true, enum: ['query', 'mutation', 'subscription'] },
    /** The document as registered (the text that runs). */
    document: { type: String, required: true, maxlength: 64 * 1024 },
    registeredBy: { type: String, required: true },
    registeredAt: { type: Date, required: true },
  },
  { versionKey: false },
);
applicationOperationSchema.index({ clientId: 1, _id: -1 });

export type ApplicationOperationDoc = InferSchemaType<typeof applicationOperationSchema> & {
  _id: string;
};
export const applicationOperationModel = (c: Connection) =>
  c.model('ApplicationOperation', applicationOperationSchema, 'application_operations');
