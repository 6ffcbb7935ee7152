import type { Connection } from 'mongoose';
import { createSubgraphService, type EventBus, type Logger } from '@yuejuan/runtime';
import { loadSubgraphSdl } from '@yuejuan/schema';
import type { ReadingConfig } from './config.ts';
import { createResolvers, pending } from './resolvers/index.ts';

export interface ReadingDeps {
  config: ReadingConfig;
  connection: Connection;
  logger: Logger;
  /** The domain event bus (publish state changes; subscriptions listen to it). */
  bus: EventBus;
}

/** The reading subgraph: no side effects until start(). */
export function createServer({ config, connection, logger }: ReadingDeps) {
  return createSubgraphService({
    name: 'reading',
    sdl: loadSubgraphSdl('reading'),
    resolvers: createResolvers(),
    pending,
    createLoaders: () => ({}),
    connection,
    logger,
    host: config.HOST,
    port: config.PORT,
    production: config.NODE_ENV === 'production',
    internalSecret: config.YUEJUAN_INTERNAL_SECRET,
  });
}
