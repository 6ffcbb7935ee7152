import mongoose from 'mongoose';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Request } from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import type { Connection } from 'mongoose';
import { GraphQLError } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { GraphQLSchema } from 'graphql';
import {
  internalTokenHeader,
  isDraining,
  traceRequests,
  verifyInternalToken,
  type Identity,
} from '@yuejuan/platform';
import { AppError, createFormatError } from '@yuejuan/platform';
import type { Logger } from '@yuejuan/platform';
import { buildServiceSchema, type ResolverMap } from './schema.ts';
import { busStats } from './bus/index.ts';
import { subscribeFreshPerEvent } from './subscribe.ts';
import { traceRootFields } from './trace-resolvers.ts';

/** What every resolver receives. `L` is the subgraph's per-request loaders. */
export interface ServiceContext<L = unknown> {
  identity: Identity;
  requestId: string;
  logger: Logger;
  loaders: L;
}

export interface SubgraphServiceOptions<L> {
  /** Subgraph name: the audience of the gateway's tokens. */
  name: string;
  sdl: string;
  /** The subgraph's resolvers, typed by its generated `Resolvers`. */
  resolvers: ResolverMap;
  /**
   * Fresh loaders for each request (DataLoader caches must not outlive a request), given the
   * request's headers over HTTP (absent on a WebSocket).
   */
  createLoaders: (header?: (name: string) => string | undefined) => L;
  connection: Connection;
  logger: Logger;
  /** Where to listen, whether in production, and the gateway-token key: the base settings every subgraph reads. */
  config: { HOST: string; PORT: number; NODE_ENV: string; YUEJUAN_INTERNAL_SECRET: string };
  /** Extra HTTP routes (uploads, downloads, internal endpoints), mounted before /graphql. */
  routes?: (app: Express) => void;
}

export interface SubgraphService {
  app: Express;
  /** The federated schema served (tests inspect it). */
  schema: GraphQLSchema;
  /** Starts listening; resolves with the GraphQL URL. */
  start(): Promise<string>;
  /** Drains requests, then closes the HTTP server (the caller owns the connection). */
  stop(): Promise<void>;
}

/**
 * Builds one subgraph service: Apollo Server over the federated schema, health and readiness
 * routes, and the gateway-token check in front of /graphql. No side effects until start().
 */
export function createSubgraphService<L>(options: SubgraphServiceOptions<L>): SubgraphService {
  const { name, logger, connection } = options;
  const production = options.config.NODE_ENV === 'production';
  const internalSecret = options.config.YUEJUAN_INTERNAL_SECRET;
  const schema = buildServiceSchema(options.sdl, options.resolvers);
  traceRootFields(schema);
  const app = express();
  app.disable('x-powered-by');
  // No ETag on answers: a GraphQL POST is never revalidated, and hashing every body costs CPU.
  app.disable('etag');
  // Every request continues the trace of the gateway's fetch that sent it (its traceparent).
  const httpServer = http.createServer(traceRequests(app, { continueTrace: true }));
  const apollo = new ApolloServer<ServiceContext<L>>({
    schema,
    // mongoose's validation and cast errors are the caller's input, not the server's fault.
    formatError: createFormatError(
      logger,
      production,
      (e) => e instanceof mongoose.Error.ValidationError || e instanceof mongoose.Error.CastError,
    ),
    includeStacktraceInErrorResponses: false,
    introspection: !production,
    // Neither cache hints nor traces are used by our gateway; with no plugin asking for them,
    // Apollo Server does not wrap every field resolver (a tenth of a subgraph's CPU under load).
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
    ],
    // runSubgraph handles SIGINT/SIGTERM; Apollo's own handler stopped the server under it and
    // left our shutdown waiting until the forced exit (10 s, exit code 1).
    stopOnTerminationSignals: false,
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: name, events: busStats() });
  });
  app.get('/ready', async (_req, res) => {
    if (isDraining()) {
      res.status(503).json({ status: 'draining', service: name });
      return;
    }
    try {
      await connection.db!.admin().ping();
      res.json({ status: 'ready', service: name });
    } catch {
      res.status(503).json({ status: 'unavailable', service: name, reason: 'database' });
    }
  });
  options.routes?.(app);

  const identities = new WeakMap<Request, Identity>();
  app.use('/graphql', async (req, res, next) => {
    try {
      identities.set(
        req,
        await verifyInternalToken(internalSecret, name, req.header(internalTokenHeader)),
      );
      next();
    } catch (err) {
      const e = err as AppError;
      logger.warn(
        { reason: e.extensions?.reason, ip: req.socket.remoteAddress },
        'request without a valid gateway token refused',
      );
      res.status(401).json({
        errors: [
          { message: e.message, extensions: { code: e.extensions?.code ?? 'UNAUTHENTICATED' } },
        ],
      });
    }
  });

  // Subscriptions: graphql-ws on the same path. Only the gateway may connect (a token minted
  // for this subgraph in connection_init), and each subscription carries its own token with
  // the subscriber's identity in `extensions`, so one upstream socket can serve many users.
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 64 * 1024 });
  const tokenOf = (params: unknown) =>
    (params && typeof params === 'object'
      ? (params as Record<string, unknown>)[internalTokenHeader]
      : undefined) as string | undefined;
  // Subscription ids are chosen per connection, so identities are kept per connection.
  const identitiesOf = new WeakMap<object, Map<string, Identity>>();
  const byConnection = (ctx: object) => {
    let map = identitiesOf.get(ctx);
    if (!map) identitiesOf.set(ctx, (map = new Map()));
    return map;
  };
  const wsServer = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      subscribe: (args) =>
        subscribeFreshPerEvent(args, (base) => ({
          ...(base as object),
          loaders: options.createLoaders(),
        })),
      onConnect: async (ctx) => {
        try {
          await verifyInternalToken(internalSecret, name, tokenOf(ctx.connectionParams));
          return true;
        } catch {
          logger.warn('websocket without a valid gateway token refused');
          return false;
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        try {
          byConnection(ctx).set(
            id,
            await verifyInternalToken(internalSecret, name, tokenOf(payload.extensions)),
          );
        } catch (err) {
          return [
            new GraphQLError((err as Error).message, { extensions: { code: 'UNAUTHENTICATED' } }),
          ];
        }
      },
      context: (ctx, id) => ({
        identity: byConnection(ctx).get(id) ?? { role: 'ANONYMOUS' },
        requestId: `ws-${id}`,
        logger,
        loaders: options.createLoaders(),
      }),
      onComplete: (ctx, id) => {
        byConnection(ctx).delete(id);
      },
      onError: (ctx, id) => {
        byConnection(ctx).delete(id);
      },
    },
    wss,
  );

  let started = false;
  return {
    app,
    schema,
    async start() {
      await apollo.start();
      app.use(
        '/graphql',
        express.json({ limit: '1mb' }),
        expressMiddleware(apollo, {
          context: async ({ req }) => {
            const requestId = req.header('x-request-id') ?? randomUUID();
            return {
              identity: identities.get(req) ?? { role: 'ANONYMOUS' },
              requestId,
              logger: logger.child({ requestId }),
              loaders: options.createLoaders((h) => req.header(h)),
            };
          },
        }),
      );
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(options.config.PORT, options.config.HOST, () => resolve());
      });
      started = true;
      const { port } = httpServer.address() as AddressInfo;
      const url = `http://${options.config.HOST}:${port}/graphql`;
      logger.info({ url }, `${name} subgraph ready`);
      return url;
    },
    async stop() {
      if (!started) return;
      started = false;
      await wsServer.dispose();
      await apollo.stop();
      if (httpServer.listening)
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
