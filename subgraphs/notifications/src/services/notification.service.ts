import { AppError, decodeCursor, pageSize, toConnection, type Identity, type PageArgs } from '@yuejuan/runtime';
import type { NotificationDoc, NotificationsModels } from '../models/index.ts';

type Recipient = { id: string; role: 'LAWYER' | 'PROSECUTOR' };

/** The caller's own recipient id: notifications are private to their recipient. */
function ownRecipient(identity: Identity): Recipient {
  if (identity.role === 'LAWYER') return { id: identity.lawyerId, role: 'LAWYER' };
  if (identity.role === 'PROSECUTOR') return { id: identity.prosecutorId, role: 'PROSECUTOR' };
  throw new AppError(identity.role === 'ANONYMOUS' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
}

/** In-app notifications: lists with the unread count, mark read, mark all read. */
export function createNotificationService(models: NotificationsModels) {
  return {
    /** A recipient's notifications, newest first; only the recipient may read them. */
    async list(identity: Identity, recipientId: string, args: PageArgs & { unreadOnly?: boolean | null }) {
      if (ownRecipient(identity).id !== recipientId) throw new AppError('FORBIDDEN', '只能查看本人的消息。');
      const first = pageSize(args.first);
      const filter: Record<string, unknown> = { recipientId };
      if (args.unreadOnly) filter.readAt = null;
      const [unreadCount, total] = await Promise.all([
        models.Notification.countDocuments({ recipientId, readAt: null }).exec(),
        args.unreadOnly ? Promise.resolve(0) : models.Notification.countDocuments(filter).exec(),
      ]);
      if (args.after) filter._id = { $lt: decodeCursor(args.after) };
      const items = await models.Notification.find(filter).sort({ _id: -1 }).limit(first + 1).lean<NotificationDoc[]>().exec();
      return { ...toConnection(items, first, args.unreadOnly ? unreadCount : total), unreadCount };
    },

    /** Marks one of the caller's notifications read (idempotent). */
    async markRead(identity: Identity, id: string): Promise<NotificationDoc> {
      const me = ownRecipient(identity);
      const doc = await models.Notification.findById(id).lean<NotificationDoc>().exec();
      if (!doc || doc.recipientId !== me.id) throw new AppError('NOT_FOUND', '消息不存在。');
      if (doc.readAt) return doc;
      const readAt = new Date();
      await models.Notification.updateOne({ _id: id, readAt: null }, { $set: { readAt } }).exec();
      return { ...doc, readAt };
    },

    /** Marks all of the caller's unread notifications read; returns how many changed. */
    async markAllRead(identity: Identity): Promise<number> {
      const me = ownRecipient(identity);
      const result = await models.Notification.updateMany({ recipientId: me.id, readAt: null }, { $set: { readAt: new Date() } }).exec();
      return result.modifiedCount;
    },
  };
}
export type NotificationService = ReturnType<typeof createNotificationService>;
