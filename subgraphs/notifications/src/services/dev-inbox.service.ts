import { AppError, pageSize } from '@yuejuan/runtime';
import type { DevSmsDoc, NotificationsModels } from '../models/index.ts';
import { mobilePattern } from './outbox.service.ts';

/**
 * The demo's SMS inbox: what the development sink "sent", newest first. Only when the sink is
 * the configured provider (never in production, which refuses it); open to any caller then, as
 * the demo shows login codes before anyone is logged in.
 */
export function createDevInbox(models: NotificationsModels, enabled: boolean) {
  return {
    async list(
      phone: string | null | undefined,
      first: number | null | undefined,
    ): Promise<DevSmsDoc[]> {
      if (!enabled)
        throw new AppError('FORBIDDEN', '开发短信收件箱未启用。', {
          reason: 'DEV_SMS_INBOX_DISABLED',
        });
      const n = pageSize(first);
      if (phone && !mobilePattern.test(phone))
        throw new AppError('BAD_USER_INPUT', '手机号码格式不正确。', { field: 'phone' });
      return models.DevSms.find(phone ? { phone } : {})
        .sort({ _id: -1 })
        .limit(n)
        .lean<DevSmsDoc[]>()
        .exec();
    },
  };
}
