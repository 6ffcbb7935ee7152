import { AppError, type DomainEvent, type EventBus, type ServiceContext } from '@yuejuan/runtime';
import type { NotificationsServices } from '../services/index.ts';
import { notificationAddedTopic, ownRecipient } from '../services/notification.service.ts';

type Added = { notificationId: string; recipientId: string; recipientRole: string };

export const Subscription = ({ notifications }: NotificationsServices, bus: EventBus) => ({
  notificationAdded: {
    // Only the caller's own: the filter runs on the event's keys before anything is loaded.
    subscribe: (_: unknown, __: unknown, { identity }: ServiceContext<unknown>) => {
      const me = ownRecipient(identity);
      return bus.listen(
        [notificationAddedTopic],
        (e) =>
          (e.payload as Added).recipientId === me.id &&
          (e.payload as Added).recipientRole === me.role,
      );
    },
    // The event carries keys; the notification is read fresh.
    resolve: async (event: DomainEvent) => {
      const n = await notifications.get((event.payload as Added).notificationId);
      if (!n) throw new AppError('NOT_FOUND', '消息不存在。');
      return n;
    },
  },
});
