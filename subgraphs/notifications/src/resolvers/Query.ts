import type { PageArgs, ServiceContext } from '@yuejuan/runtime';
import type { DevSmsDoc, SmsMessageDoc } from '../models/index.ts';
import type { NotificationsServices } from '../services/index.ts';
import type { SmsFilter } from '../services/outbox.service.ts';

type Context = ServiceContext<unknown>;
const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** 13812345678 → 138****5678: administrators see which number, not the whole number. */
export const maskPhone = (phone: string | null): string =>
  phone ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '（待解析）';

export const Query = ({ outbox, devInbox }: NotificationsServices) => ({
  smsMessages: (
    _: unknown,
    args: PageArgs & { filter?: SmsFilter | null },
    { identity }: Context,
  ) => outbox.list(identity, args.filter, args),
  devSmsInbox: (_: unknown, args: { phone?: string | null; first?: number | null }) =>
    devInbox.list(args.phone, args.first),
});

export const SmsTypes = {
  SmsMessage: {
    id: (m: SmsMessageDoc) => m._id,
    phoneMasked: (m: SmsMessageDoc) => maskPhone(m.phone),
    createdAt: (m: SmsMessageDoc) => m.createdAt.toISOString(),
    sentAt: (m: SmsMessageDoc) => iso(m.sentAt),
    deliveredAt: (m: SmsMessageDoc) => iso(m.deliveredAt),
    failedAt: (m: SmsMessageDoc) => iso(m.failedAt),
  },
  DevSms: {
    id: (m: DevSmsDoc) => m._id,
    sentAt: (m: DevSmsDoc) => m.sentAt.toISOString(),
  },
};
