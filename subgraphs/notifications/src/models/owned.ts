import { ownedIndex } from '@yuejuan/runtime';
import type { NotificationsModels } from './index.ts';
import type { NotificationDoc } from './notification.model.ts';

const byModels = new WeakMap<object, ReturnType<typeof create>>();

const create = (models: NotificationsModels) => ({
  /** A recipient's notifications (the list, newest first). */
  byRecipient: ownedIndex<NotificationDoc>({
    model: models.Notification,
    owner: 'recipientId',
    collection: 'recipient_notifications',
  }),
  /** A recipient's unread notifications (the count on every page, 全部已读). */
  unreadByRecipient: ownedIndex<NotificationDoc>({
    model: models.Notification,
    owner: 'recipientId',
    collection: 'recipient_unread',
    member: { field: 'readAt', values: [null] },
  }),
});

/**
 * Notifications by recipient: MongoDB answers from the model's indexes, FerretDB from id sets
 * kept by `_id` (runtime ownedIndex). One per set of models, so its one-time checks run once.
 */
export function notificationsOwned(models: NotificationsModels): ReturnType<typeof create> {
  let owned = byModels.get(models.Notification);
  if (!owned) byModels.set(models.Notification, (owned = create(models)));
  return owned;
}
