import type { Connection } from 'mongoose';
import { createSubgraphService, type EventBus, type Logger } from '@yuejuan/runtime';
import { loadSubgraphSdl } from '@yuejuan/schema';
import type { NotificationsConfig } from './config.ts';
import { createResolvers, pending } from './resolvers/index.ts';
import { createNotificationsServices } from './services/index.ts';

export interface NotificationsDeps {
  config: NotificationsConfig;
  connection: Connection;
  logger: Logger;
  /** The domain event bus (publish state changes; subscriptions listen to it). */
  bus: EventBus;
}

/** The notifications subgraph: no side effects until start(). */
export function createServer({ config, connection, logger }: NotificationsDeps) {
  const services = createNotificationsServices(connection);
  const service = createSubgraphService({
    name: 'notifications',
    sdl: loadSubgraphSdl('notifications'),
    resolvers: createResolvers(services),
    pending,
    createLoaders: () => ({}),
    connection,
    logger,
    host: config.HOST,
    port: config.PORT,
    production: config.NODE_ENV === 'production',
    internalSecret: config.YUEJUAN_INTERNAL_SECRET,
  });
  return { ...service, services };
}
