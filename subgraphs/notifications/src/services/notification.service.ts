import {
  AppError,
  decodeCursor,
  isDuplicateKey,
  lazy,
  lazyPage,
  pageSize,
  type EventBus,
  type Identity,
  type Logger,
  type PageArgs,
} from '@yuejuan/runtime';
import {
  notificationsOwned,
  type MessageKind,
  type NotificationDoc,
  type NotificationsModels,
} from '../models/index.ts';

export type Recipient = { id: string; role: 'LAWYER' | 'PROSECUTOR' };

/** Published when a notification is created: keys only. */
export const notificationAddedTopic = 'notifications.notification.added';

/** A notification to create; its id is derived from the event it comes from, so a replay adds nothing. */
export interface NewNotification {
  id: string;
  recipient: Recipient;
  kind: MessageKind;
  title: string;
  body: string;
  subjectId?: string | null;
}

/** The caller's own recipient id: notifications are private to their recipient. */
export function ownRecipient(identity: Identity): Recipient {
  if (identity.role === 'LAWYER') return { id: identity.lawyerId, role: 'LAWYER' };
  if (identity.role === 'PROSECUTOR') return { id: identity.prosecutorId, role: 'PROSECUTOR' };
  throw new AppError(identity.role === 'ANONYMOUS' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
}

/** In-app notifications: lists with the unread count, mark read, mark all read. */
export function createNotificationService(
  models: NotificationsModels,
  bus: EventBus,
  logger: Logger,
) {
  const owned = notificationsOwned(models);
  return {
    /**
     * Creates a notification once (insert under its deterministic id) and announces it on the
     * bus for live delivery. Answers false when it existed already (a replayed event): nothing
     * is announced twice. A crash between insert and publish loses the live push only; the list
     * still has the notification.
     */
    async add(n: NewNotification): Promise<boolean> {
      await owned.byRecipient.added(n.recipient.id, n.id);
      await owned.unreadByRecipient.added(n.recipient.id, n.id);
      try {
        await models.Notification.create({
          _id: n.id,
          recipientId: n.recipient.id,
          recipientRole: n.recipient.role,
          kind: n.kind,
          title: n.title,
          body: n.body,
          subjectId: n.subjectId ?? null,
        });
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
      await bus.publish(notificationAddedTopic, {
        notificationId: n.id,
        recipientId: n.recipient.id,
        recipientRole: n.recipient.role,
      });
      logger.info(
        { notificationId: n.id, kind: n.kind, recipientRole: n.recipient.role },
        'notification added',
      );
      return true;
    },

    /** One notification by id (a subscription's event names it). */
    get: (id: string) => models.Notification.findById(id).lean<NotificationDoc>().exec(),

    /** A recipient's notifications, newest first; only the recipient may read them. */
    async list(
      identity: Identity,
      recipientId: string,
      args: PageArgs & { unreadOnly?: boolean | null },
    ) {
      if (ownRecipient(identity).id !== recipientId)
        throw new AppError('FORBIDDEN', '只能查看本人的消息。');
      const first = pageSize(args.first);
      const before = args.after ? decodeCursor(args.after) : undefined;
      const unread = { readAt: null };
      // Lazy: the unread count and the page run only when the client selects them.
      return {
        ...lazyPage({
          first,
          fetch: () =>
            args.unreadOnly
              ? owned.unreadByRecipient.find(recipientId, unread, { limit: first + 1, before })
              : owned.byRecipient.find(recipientId, {}, { limit: first + 1, before }),
        }),
        unreadCount: lazy(() => owned.unreadByRecipient.count(recipientId, unread)),
      };
    },

    /** Marks one of the caller's notifications read (idempotent). */
    async markRead(identity: Identity, id: string): Promise<NotificationDoc> {
      const me = ownRecipient(identity);
      const doc = await models.Notification.findById(id).lean<NotificationDoc>().exec();
      if (!doc || doc.recipientId !== me.id) throw new AppError('NOT_FOUND', '消息不存在。');
      if (doc.readAt) return doc;
      const readAt = new Date();
      await models.Notification.updateOne({ _id: id, readAt: null }, { $set: { readAt } }).exec();
      await owned.unreadByRecipient.left(me.id, id);
      return { ...doc, readAt };
    },

    /** Marks all of the caller's unread notifications read; returns how many changed. */
    async markAllRead(identity: Identity): Promise<number> {
      const me = ownRecipient(identity);
      const ids = (await owned.unreadByRecipient.find(me.id, { readAt: null })).map((n) => n._id);
      if (ids.length === 0) return 0;
      const result = await models.Notification.updateMany(
        { _id: { $in: ids }, readAt: null },
        { $set: { readAt: new Date() } },
      ).exec();
      await owned.unreadByRecipient.left(me.id, ids);
      return result.modifiedCount;
    },
  };
}
export type NotificationService = ReturnType<typeof createNotificationService>;
