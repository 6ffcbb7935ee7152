import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

/** A prosecutor (检察人员), bound to one procuratorate of the cases subgraph (by id). */
export const prosecutorSchema = new Schema(
  {
    _id: { type: String, default: newId },
    name: { type: String, required: true, trim: true },
    username: { type: String, required: true, match: /^[a-z0-9_.-]{3,32}$/ },
    procuratorateId: { type: String, required: true },
    phone: { type: String, match: /^1[3-9]\d{9}$/ },
    /** argon2id hash (PHC string; see services/password.ts); set by import (initialPassword), an administrator, or the prosecutor. */
    passwordHash: String,
  },
  { timestamps: true, versionKey: false },
);
prosecutorSchema.index({ username: 1 }, { unique: true });
prosecutorSchema.index({ procuratorateId: 1 });

export type ProsecutorDoc = InferSchemaType<typeof prosecutorSchema> & { _id: string };
export const prosecutorModel = (c: Connection) =>
  c.model('Prosecutor', prosecutorSchema, 'prosecutors');
