import type { Logger } from '@yuejuan/runtime';
import type { NotificationsModels } from '../models/index.ts';
import type { Receipt } from '../providers/index.ts';

/**
 * Applies provider delivery reports: a SENT message becomes DELIVERED, or FAILED with the
 * carrier's reason. Reports name our message id (Alibaba Cloud's OutId, Tencent Cloud's
 * SessionContext), so each is an `_id` lookup; unknown ids and messages in other states are
 * left alone (a report is never allowed to move a message backwards).
 */
export function createReceipts(models: NotificationsModels, logger: Logger) {
  return {
    async apply(receipts: Receipt[]): Promise<number> {
      let applied = 0;
      for (const r of receipts) {
        const update = r.delivered
          ? { $set: { status: 'DELIVERED', deliveredAt: r.at } }
          : {
              $set: {
                status: 'FAILED',
                failedAt: r.at,
                lastError: `DELIVERY_FAILED: ${r.error ?? '未送达'}`,
              },
            };
        const result = await models.SmsMessage.updateOne(
          { _id: r.messageId, status: 'SENT' },
          update,
        ).exec();
        applied += result.modifiedCount;
      }
      if (receipts.length)
        logger.info({ received: receipts.length, applied }, 'sms delivery reports applied');
      return applied;
    },
  };
}
export type Receipts = ReturnType<typeof createReceipts>;
