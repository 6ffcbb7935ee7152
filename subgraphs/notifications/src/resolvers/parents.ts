// What resolvers receive where it is not one of this subgraph's documents (see scripts/codegen.ts).
import type { LazyPage } from '@yuejuan/runtime';
import type { NotificationDoc, SmsMessageDoc, WebhookMessageDoc } from '../models/index.ts';

/** An entity another subgraph owns, known here by its id. */
export type EntityRef = { id: string };
/** A recipient's notifications, fetched only when selected; the unread count likewise. */
export type NotificationPage = LazyPage<NotificationDoc> & { unreadCount: () => Promise<number> };
/** SMS messages, fetched only when selected. */
export type SmsMessagePage = LazyPage<SmsMessageDoc>;
/** Webhook deliveries, fetched only when selected. */
export type WebhookDeliveryPage = LazyPage<WebhookMessageDoc>;
