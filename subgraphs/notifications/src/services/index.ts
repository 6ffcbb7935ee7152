import type { Connection } from 'mongoose';
import { notificationsModels } from '../models/index.ts';
import { createNotificationService } from './notification.service.ts';

/** The notifications subgraph's services over its own connection. */
export function createNotificationsServices(connection: Connection) {
  const models = notificationsModels(connection);
  return { models, notifications: createNotificationService(models) };
}
export type NotificationsServices = ReturnType<typeof createNotificationsServices>;
