import express from 'express';
import type { Connection } from 'mongoose';
import { createSubgraphService, internalTokenHeader, verifyInternalToken, type EventBus, type Logger } from '@yuejuan/runtime';
import { loadSubgraphSdl } from '@yuejuan/schema';
import type { IdentityConfig } from './config.ts';
import { createLoaders } from './context.ts';
import { createResolvers, pending } from './resolvers/index.ts';
import { createIdentityServices } from './services/index.ts';

export interface IdentityDeps {
  config: IdentityConfig;
  connection: Connection;
  logger: Logger;
  /** The domain event bus (publish state changes; subscriptions listen to it). */
  bus: EventBus;
}

/** The identity subgraph: no side effects until start(). */
export function createServer({ config, connection, logger }: IdentityDeps) {
  const services = createIdentityServices(connection, {
    idHashKey: config.YUEJUAN_ID_HASH_KEY,
    ttlSeconds: config.SESSION_TTL_SECONDS,
    verifiedWindowSeconds: config.SCAN_VERIFIED_WINDOW_SECONDS,
  });
  const service = createSubgraphService({
    name: 'identity',
    sdl: loadSubgraphSdl('identity'),
    resolvers: createResolvers(services),
    pending,
    createLoaders: () => createLoaders(services.models),
    connection,
    logger,
    host: config.HOST,
    port: config.PORT,
    production: config.NODE_ENV === 'production',
    internalSecret: config.YUEJUAN_INTERNAL_SECRET,
    routes: (app) => {
      // The gateway turns a caller's bearer token into an identity here, on every request, so a
      // revoked session is refused at once. Only the gateway (its signed token) may ask.
      app.post('/internal/sessions/resolve', express.json({ limit: '2kb' }), async (req, res) => {
        try {
          await verifyInternalToken(config.YUEJUAN_INTERNAL_SECRET, 'identity', req.header(internalTokenHeader));
        } catch {
          res.status(401).json({ error: 'UNAUTHENTICATED' });
          return;
        }
        const token = typeof req.body?.token === 'string' ? req.body.token : '';
        res.json({ identity: await services.sessions.resolve(token) });
      });
    },
  });
  return { ...service, services };
}
