import type { Connection } from 'mongoose';
import type { EventBus, Logger } from '@yuejuan/runtime';
import type { NotificationsConfig } from '../config.ts';
import { notificationsModels } from '../models/index.ts';
import { createProvider, type SmsProvider } from '../providers/index.ts';
import { createFanout } from '../workers/fanout.ts';
import { createSender } from '../workers/sender.ts';
import { createContactsClient } from './contacts.service.ts';
import { createDevInbox } from './dev-inbox.service.ts';
import { createEventHandler } from './events.service.ts';
import { createNotificationService } from './notification.service.ts';
import { createOutbox } from './outbox.service.ts';
import { createRateLimiter } from './rate-limit.service.ts';
import { createReceipts } from './receipts.service.ts';
import { createSmsIntake } from './sms-intake.service.ts';
import { createWebhookAccess } from './webhook-access.service.ts';
import { createWebhookDeliveries } from './webhook-deliveries.service.ts';
import { createWebhookEndpoints } from './webhook-endpoints.service.ts';
import { createWebhookSender } from '../workers/webhook-sender.ts';
import { createSealer } from '../webhooks/signing.ts';

export interface ServicesDeps {
  connection: Connection;
  config: NotificationsConfig;
  bus: EventBus;
  logger: Logger;
  /** Replaces the configured SMS provider (benchmarks, tests). */
  provider?: SmsProvider;
}

/** The notifications subgraph's services over its own connection, wired once. */
export function createNotificationsServices({
  connection,
  config,
  bus,
  logger,
  provider: given,
}: ServicesDeps) {
  const models = notificationsModels(connection);
  const contacts = createContactsClient({
    baseUrl: config.IDENTITY_INTERNAL_URL,
    secret: config.YUEJUAN_INTERNAL_SECRET,
    logger,
  });
  const provider = given ?? createProvider(config, models);
  const notifications = createNotificationService(models, bus, logger);
  const retry = {
    maxAttempts: config.SMS_MAX_ATTEMPTS,
    backoffBaseMs: config.SMS_BACKOFF_BASE_MS,
    backoffCapMs: config.SMS_BACKOFF_CAP_MS,
  };
  const sender = createSender({
    models,
    provider,
    contacts,
    logger: logger.child({ component: 'sms-sender' }),
    signName: config.SMS_SIGN_NAME,
    ...retry,
    leaseMs: config.SMS_LEASE_MS,
    providerTimeoutMs: config.SMS_PROVIDER_TIMEOUT_MS,
    pollMs: config.SMS_POLL_MS,
    concurrency: config.SMS_SENDER_CONCURRENCY,
  });
  const outbox = createOutbox(models, logger, () => sender.kick());
  const limiter = createRateLimiter(models, config.SMS_RATE_LIMITS);
  const kicks = { fanout: () => {}, fanoutAt: (_at: Date) => {} };
  const fanout = createFanout({
    models,
    notifications,
    contacts,
    logger,
    ...retry,
    onRetry: (at) => kicks.fanoutAt(at),
  });
  const receipts = createReceipts(models, logger);
  const intake = createSmsIntake({
    outbox,
    limiter,
    limitedKinds: config.SMS_RATE_LIMITED_KINDS,
    contacts,
    logger,
  });
  const handleEvent = createEventHandler({
    notifications,
    outbox,
    fanout,
    onFanout: () => kicks.fanout(),
  });
  const devInbox = createDevInbox(models, provider.name === 'dev');
  const webhooks = createWebhooks(models, config, logger);
  return {
    models,
    provider,
    contacts,
    notifications,
    outbox,
    devInbox,
    limiter,
    sender,
    fanout,
    receipts,
    intake,
    handleEvent,
    kicks,
    webhooks,
  };
}

/** Webhooks (ADR 0011): endpoints, messages from events, the sender. */
function createWebhooks(
  models: ReturnType<typeof notificationsModels>,
  config: NotificationsConfig,
  logger: Logger,
) {
  const access = createWebhookAccess({
    baseUrl: config.IDENTITY_INTERNAL_URL,
    secret: config.YUEJUAN_INTERNAL_SECRET,
  });
  const endpoints = createWebhookEndpoints({
    models,
    access,
    sealer: createSealer(config.WEBHOOK_SECRET_KEY ?? `webhooks:${config.YUEJUAN_INTERNAL_SECRET}`),
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    overlapSeconds: config.WEBHOOK_SECRET_OVERLAP_SECONDS,
    logger,
  });
  const sender = createWebhookSender({
    models,
    endpoints,
    access,
    logger: logger.child({ component: 'webhook-sender' }),
    leaseMs: config.WEBHOOK_LEASE_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    backoffBaseMs: config.WEBHOOK_BACKOFF_BASE_MS,
    backoffCapMs: config.WEBHOOK_BACKOFF_CAP_MS,
    retryWindowMs: config.WEBHOOK_RETRY_WINDOW_MS,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS,
    concurrency: config.WEBHOOK_CONCURRENCY,
    pollMs: config.WEBHOOK_POLL_MS,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
  });
  const deliveries = createWebhookDeliveries({
    models,
    access,
    endpoints,
    logger,
    onQueued: () => sender.kick(),
  });
  return { access, endpoints, deliveries, sender };
}
export type NotificationsServices = ReturnType<typeof createNotificationsServices>;
