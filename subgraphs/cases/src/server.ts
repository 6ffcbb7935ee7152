import type { Connection } from 'mongoose';
import { createSubgraphService, type EventBus, type Logger } from '@yuejuan/runtime';
import { loadSubgraphSdl } from '@yuejuan/schema';
import type { CasesConfig } from './config.ts';
import { createLoaders } from './context.ts';
import { createResolvers } from './resolvers/index.ts';
import { mountCasesRoutes } from './routes.ts';
import { createCasesServices } from './services/index.ts';
import { createBlobStore } from '@yuejuan/runtime/storage';

export interface CasesDeps {
  config: CasesConfig;
  connection: Connection;
  logger: Logger;
  /** The domain event bus (publish state changes; subscriptions listen to it). */
  bus: EventBus;
}

/** The cases subgraph: no side effects until start(). */
export function createServer({ config, connection, logger, bus }: CasesDeps) {
  const blobs = createBlobStore(config, 'cases', connection.getClient().db(connection.name));
  const services = createCasesServices(connection, {
    bus,
    blobs,
    attachmentMaxBytes: config.ATTACHMENT_MAX_BYTES,
  });
  const service = createSubgraphService({
    name: 'cases',
    sdl: loadSubgraphSdl('cases'),
    resolvers: createResolvers(services, bus),
    createLoaders: () => createLoaders(services.models),
    connection,
    logger,
    config,
    routes: (app) => mountCasesRoutes(app, services, config.YUEJUAN_INTERNAL_SECRET, logger),
  });
  return { ...service, services };
}
