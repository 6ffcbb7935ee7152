import type { ServiceContext } from '@yuejuan/runtime';
import type { NotificationDoc } from '../models/index.ts';
import type { NotificationsServices } from '../services/index.ts';

type Context = ServiceContext<unknown>;
type ListArgs = { unreadOnly?: boolean; first?: number; after?: string };

/** The notifications resolvers built so far; the rest of the contract answers NOT_IMPLEMENTED. */
export const createResolvers = ({ notifications }: NotificationsServices) => {
  const recipient = {
    __resolveReference: ({ id }: { id: string }) => ({ id }),
    notifications: ({ id }: { id: string }, args: ListArgs, { identity }: Context) => notifications.list(identity, id, args),
  };
  return {
    Mutation: {
      markNotificationRead: (_: unknown, { id }: { id: string }, { identity }: Context) => notifications.markRead(identity, id),
      markAllNotificationsRead: (_: unknown, __: unknown, { identity }: Context) => notifications.markAllRead(identity),
    },
    Lawyer: recipient,
    Prosecutor: recipient,
    Notification: {
      id: (n: NotificationDoc) => n._id,
      createdAt: (n: NotificationDoc) => n.createdAt.toISOString(),
      readAt: (n: NotificationDoc) => n.readAt?.toISOString() ?? null,
    },
  };
};

/** Entity fields of the contract whose issue (notifications) has not landed yet. */
export const pending: string[] = [];
