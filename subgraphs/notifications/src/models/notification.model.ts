import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

export const messageKinds = [
  'BINDING_APPROVED',
  'BINDING_REJECTED',
  'BINDING_MATERIALS_REQUESTED',
  'READING_APPROVED',
  'READING_REJECTED',
  'PACKAGE_READY',
  'DOCUMENT_PASSWORD',
  'LOGIN_CODE',
  'BINDING_PHONE_CODE',
  'PROSECUTOR_LOGIN_CODE',
  'NEW_APPLICATION',
  'BINDING_REVOKED',
  'PACKAGE_REVOKED',
  'PACKAGE_EXPIRING',
  'PACKAGE_SUPPLEMENTED',
  'APPOINTMENT_CONFIRMED',
  'APPOINTMENT_RESCHEDULED',
  'APPOINTMENT_DECLINED',
] as const;
export type MessageKind = (typeof messageKinds)[number];

/** An in-app notification of one lawyer or prosecutor. Never holds a password or code. */
export const notificationSchema = new Schema(
  {
    _id: { type: String, default: newId },
    recipientId: { type: String, required: true },
    recipientRole: { type: String, required: true, enum: ['LAWYER', 'PROSECUTOR'] },
    kind: { type: String, required: true, enum: messageKinds },
    title: { type: String, required: true },
    body: { type: String, required: true },
    subjectId: String,
    readAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
notificationSchema.index({ recipientId: 1, _id: -1 });
notificationSchema.index({ recipientId: 1, readAt: 1 });

export type NotificationDoc = InferSchemaType<typeof notificationSchema> & {
  _id: string;
  createdAt: Date;
};
export const notificationModel = (c: Connection) =>
  c.model('Notification', notificationSchema, 'notifications');
