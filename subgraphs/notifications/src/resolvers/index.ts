import type { EventBus, PageArgs, ServiceContext } from '@yuejuan/runtime';
import type { NotificationDoc } from '../models/index.ts';
import type { Resolvers } from '../generated/resolvers.ts';
import type { NotificationsServices } from '../services/index.ts';
import { Query, SmsTypes } from './Query.ts';
import { Subscription } from './Subscription.ts';
import { webhookResolvers } from './webhooks.ts';

type Context = ServiceContext<unknown>;
type ListArgs = PageArgs & { unreadOnly?: boolean | null };

/** The notifications resolvers: thin, each hands off to a service. */
export const createResolvers = (services: NotificationsServices, bus: EventBus): Resolvers => {
  const { notifications } = services;
  const {
    Query: webhookQuery,
    Mutation: webhookMutation,
    ...webhookTypes
  } = webhookResolvers(services);
  const recipient = {
    __resolveReference: ({ id }: { id: string }) => ({ id }),
    notifications: ({ id }: { id: string }, args: ListArgs, { identity }: Context) =>
      notifications.list(identity, id, args),
  };
  return {
    Query: { ...Query(services), ...webhookQuery },
    Mutation: {
      ...webhookMutation,
      markNotificationRead: (_: unknown, { id }: { id: string }, { identity }: Context) =>
        notifications.markRead(identity, id),
      markAllNotificationsRead: (_: unknown, __: unknown, { identity }: Context) =>
        notifications.markAllRead(identity),
    },
    Subscription: Subscription(services, bus),
    Lawyer: recipient,
    Prosecutor: recipient,
    Notification: {
      id: (n: NotificationDoc) => n._id,
      createdAt: (n: NotificationDoc) => n.createdAt.toISOString(),
      readAt: (n: NotificationDoc) => n.readAt?.toISOString() ?? null,
    },
    ...SmsTypes,
    ...webhookTypes,
  };
};
