import { isDuplicateKey } from '@yuejuan/runtime';
import type { NotificationsModels } from '../models/index.ts';
import type { SmsProvider } from './types.ts';

/**
 * The development sink: "sends" by storing the message for the demo's SMS inbox
 * (Query.devSmsInbox). Keyed by our message id, so it dedupes a second send of one message.
 * Production configuration refuses it (config.ts).
 */
export function createDevSink(models: NotificationsModels): SmsProvider {
  return {
    name: 'dev',
    async send(sms) {
      try {
        await models.DevSms.create({
          _id: sms.messageId,
          phone: sms.phone,
          kind: sms.kind,
          text: sms.text,
          sentAt: new Date(),
        });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      return { providerMessageId: `dev-${sms.messageId}` };
    },
  };
}
