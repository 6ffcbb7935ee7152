import type { EventBus, Logger } from '@yuejuan/runtime';
import type { NotificationsConfig } from '../config.ts';
import { consumedTopics } from '../services/events.service.ts';
import type { NotificationsServices } from '../services/index.ts';
import { leaseRetentionMs } from './claims.ts';
import { createLoop } from './loop.ts';
import { webhookTopics } from '../webhooks/event-types.ts';

/** How often passed rate-limit windows and leases expired for an hour are swept. */
const sweepMs = 10 * 60_000;

/**
 * The background work of a notifications process: the durable event consumer, the SMS sender,
 * the prosecutor fan-out, the Tencent Cloud receipt poller, and the sweep of expired claims.
 */
export function createWorkers({
  services,
  bus,
  config,
  logger,
}: {
  services: NotificationsServices;
  bus: EventBus;
  config: NotificationsConfig;
  logger: Logger;
}) {
  const { models } = services;
  const fanout = createLoop('fanout', services.fanout.run, config.SMS_POLL_MS, logger);
  services.kicks.fanout = fanout.kick;
  services.kicks.fanoutAt = (at) => fanout.wakeAt(at);
  const sweep = createLoop(
    'sweep',
    async () => {
      const now = new Date();
      await services.limiter.sweep(now);
      await models.WebhookLease.deleteMany({
        expiresAt: { $lt: new Date(now.getTime() - leaseRetentionMs) },
      }).exec();
      await models.SmsLease.deleteMany({
        expiresAt: { $lt: new Date(now.getTime() - leaseRetentionMs) },
      }).exec();
      return 0;
    },
    sweepMs,
    logger,
  );
  const pull = services.provider.pullReceipts?.bind(services.provider);
  const receipts = pull
    ? createLoop(
        'sms-receipts',
        async () => {
          const got = await pull(AbortSignal.timeout(config.SMS_PROVIDER_TIMEOUT_MS));
          await services.receipts.apply(got);
          return got.length >= 100 ? 1 : 0; // a full page: more are waiting
        },
        config.SMS_TENCENT_RECEIPT_POLL_MS,
        logger,
      )
    : null;
  let stopConsumer: (() => Promise<void>) | null = null;
  let stopWebhookConsumer: (() => Promise<void>) | null = null;

  return {
    start() {
      stopConsumer = bus.consume({
        name: 'notifications',
        topics: consumedTopics,
        handler: services.handleEvent,
        onGap: (gap) => logger.error(gap, 'notification events were lost before they were read'),
      });
      // Webhooks follow the same events as a consumer of their own: waiting for identity's
      // answer (who may receive an event) never holds up the SMS and in-app messages.
      stopWebhookConsumer = bus.consume({
        name: 'notifications-webhooks',
        topics: webhookTopics,
        handler: (event) => services.webhooks.deliveries.handleEvent(event),
        onGap: (gap) => logger.error(gap, 'webhook events were lost before they were read'),
      });
      services.sender.start();
      services.webhooks.sender.start();
      fanout.start();
      sweep.start();
      receipts?.start();
    },
    async stop() {
      await stopConsumer?.();
      await stopWebhookConsumer?.();
      stopConsumer = null;
      stopWebhookConsumer = null;
      await Promise.all([
        services.webhooks.sender.stop(),
        services.sender.stop(),
        fanout.stop(),
        sweep.stop(),
        receipts?.stop(),
      ]);
    },
  };
}
