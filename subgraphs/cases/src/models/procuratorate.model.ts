import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** A procuratorate; `_id` is its organisation code, so imports are idempotent by key. */
export const procuratorateSchema = new Schema(
  {
    _id: { type: String, required: true, match: /^[A-Za-z0-9-]{2,40}$/ },
    name: { type: String, required: true, trim: true },
    province: { type: String, required: true, trim: true },
    onlineReadingEnabled: { type: Boolean, required: true, default: false },
  },
  { timestamps: true, versionKey: false },
);
procuratorateSchema.index({ province: 1 });

export type ProcuratorateDoc = InferSchemaType<typeof procuratorateSchema> & { _id: string };
export const procuratorateModel = (c: Connection) =>
  c.model('Procuratorate', procuratorateSchema, 'procuratorates');
