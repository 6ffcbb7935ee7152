import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

export const auditKinds = [
  'LOGIN',
  'LOGIN_FAILED',
  'LOGOUT',
  'DEVICE_ACTIVATED',
  'ACTIVATION_FAILED',
  'DEVICE_REVOKED',
  'STEP_UP',
  'PASSWORD_CHANGED',
  'APP_REGISTERED',
  'APP_UPDATED',
  'APP_SECRET_ROTATED',
  'APP_SUSPENDED',
  'APP_RESUMED',
  'APP_AUTHORIZED',
  'APP_AUTHORIZATION_REVOKED',
  'APP_OPERATIONS_REGISTERED',
  'APP_OPERATION_REMOVED',
] as const;

/** One audit record: who did what, from where; never a secret. `_id` order is time order. */
export const auditEventSchema = new Schema(
  {
    _id: { type: String, default: newId },
    kind: { type: String, required: true, enum: auditKinds },
    actorId: String,
    actorRole: { type: String, enum: ['LAWYER', 'PROSECUTOR', 'ADMINISTRATOR'] },
    ip: String,
    detail: String,
    /** What the event is about, when not the actor (an application's client id). */
    targetId: String,
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
auditEventSchema.index({ actorId: 1, _id: -1 });
auditEventSchema.index({ kind: 1, _id: -1 });
auditEventSchema.index({ targetId: 1, _id: -1 });

export type AuditEventDoc = InferSchemaType<typeof auditEventSchema> & { _id: string };
export const auditEventModel = (c: Connection) =>
  c.model('AuditEvent', auditEventSchema, 'audit_events');
