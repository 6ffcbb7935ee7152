import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

/** A platform administrator. */
export const administratorSchema = new Schema(
  {
    _id: { type: String, default: newId },
    name: { type: String, required: true, trim: true },
    username: { type: String, required: true, match: /^[a-z0-9_.-]{3,32}$/ },
    /** Receives the login SMS code. */
    phone: { type: String, match: /^1[3-9]\d{9}$/ },
    /** argon2id hash (PHC string; see services/password.ts); set by import (initialPassword) or the administrator. */
    passwordHash: String,
  },
  { timestamps: true, versionKey: false },
);
administratorSchema.index({ username: 1 }, { unique: true });

export type AdministratorDoc = InferSchemaType<typeof administratorSchema> & { _id: string };
export const administratorModel = (c: Connection) =>
  c.model('Administrator', administratorSchema, 'administrators');
