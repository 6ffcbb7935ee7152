import type { Connection } from 'mongoose';
import { notificationModel } from './notification.model.ts';

/** The notifications subgraph's models, registered on its own connection. */
export function notificationsModels(connection: Connection) {
  return { Notification: notificationModel(connection) };
}
export type NotificationsModels = ReturnType<typeof notificationsModels>;
export type { NotificationDoc } from './notification.model.ts';
export { messageKinds } from './notification.model.ts';
