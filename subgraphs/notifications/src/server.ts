import type { Connection } from 'mongoose';
import { createSubgraphService, type EventBus, type Logger } from '@yuejuan/runtime';
import { loadSubgraphSdl } from '@yuejuan/schema';
import type { NotificationsConfig } from './config.ts';
import type { SmsProvider } from './providers/index.ts';
import { createResolvers } from './resolvers/index.ts';
import { mountRoutes } from './routes/internal.ts';
import { createNotificationsServices } from './services/index.ts';
import { createWorkers } from './workers/index.ts';
import { outboxes } from './metrics.ts';
import { webhookQueues } from './webhooks/metrics.ts';

export interface NotificationsDeps {
  config: NotificationsConfig;
  connection: Connection;
  logger: Logger;
  /** The domain event bus (consumed for messages; subscriptions listen to it). */
  bus: EventBus;
  /** Replaces the configured SMS provider (benchmarks, tests). */
  provider?: SmsProvider;
}

/**
 * The notifications subgraph: GraphQL, the internal SMS route, and (NOTIFICATIONS_WORKERS) the
 * event consumer, SMS sender, fan-out and receipt poller. No side effects until start().
 */
export function createServer({ config, connection, logger, bus, provider }: NotificationsDeps) {
  const services = createNotificationsServices({ connection, config, bus, logger, provider });
  const workers = createWorkers({ services, bus, config, logger });
  const service = createSubgraphService({
    name: 'notifications',
    sdl: loadSubgraphSdl('notifications'),
    resolvers: createResolvers(services, bus),
    createLoaders: () => ({}),
    connection,
    logger,
    config,
    routes: (app) => mountRoutes(app, { config, services, logger }),
  });
  return {
    ...service,
    services,
    async start() {
      const url = await service.start();
      outboxes.add(services.models.SmsQueue as never);
      webhookQueues.add(services.models.WebhookQueue as never);
      if (config.NOTIFICATIONS_WORKERS) workers.start();
      return url;
    },
    async stop() {
      outboxes.delete(services.models.SmsQueue as never);
      webhookQueues.delete(services.models.WebhookQueue as never);
      await workers.stop();
      await service.stop();
    },
  };
}
