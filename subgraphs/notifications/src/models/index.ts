import type { claimOnce } from '@yuejuan/runtime';
import type { Connection, Model } from 'mongoose';
import { notificationModel } from './notification.model.ts';
import { smsMessageModel, smsQueueModel } from './sms-message.model.ts';
import { rateSlotModel, smsKeyModel, smsLeaseModel } from './claims.model.ts';
import { devSmsModel } from './dev-sms.model.ts';
import { fanoutModel } from './fanout.model.ts';
import { webhookModels } from './webhook.model.ts';

/** The notifications subgraph's models, registered on its own connection. */
export function notificationsModels(connection: Connection) {
  return {
    Notification: notificationModel(connection),
    SmsMessage: smsMessageModel(connection),
    SmsQueue: smsQueueModel(connection),
    SmsKey: smsKeyModel(connection),
    SmsLease: smsLeaseModel(connection),
    RateSlot: rateSlotModel(connection),
    DevSms: devSmsModel(connection),
    Fanout: fanoutModel(connection),
    ...webhookModels(connection),
  };
}
export type NotificationsModels = ReturnType<typeof notificationsModels>;
export { notificationsOwned } from './owned.ts';

type DriverCollection = Parameters<typeof claimOnce>[0];

/** The driver's collection under a model, for `claimOnce` (a plain insert under a unique `_id`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model
export const nativeCollection = (model: Model<any>): DriverCollection =>
  model.db.db!.collection(model.collection.collectionName);

export type { NotificationDoc, MessageKind } from './notification.model.ts';
export { messageKinds } from './notification.model.ts';
export type { SmsMessageDoc, SmsPayload, SmsQueueDoc, SmsStatus } from './sms-message.model.ts';
export { pendingMessage, smsStatuses } from './sms-message.model.ts';
export type { SmsKeyDoc, SmsLeaseDoc, RateSlotDoc } from './claims.model.ts';
export type { DevSmsDoc } from './dev-sms.model.ts';
export type { FanoutDoc } from './fanout.model.ts';
export type * from './webhook.model.ts';
