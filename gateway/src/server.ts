import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { isDraining, traceRequests, type Logger } from '@yuejuan/platform';
import { defaultSubgraphUrl, subgraphNames, type SubgraphName } from '@yuejuan/schema';
import {
  explorerEnabled,
  freeTextAllowed,
  persistedOnly,
  subgraphUrlOverrides,
  type GatewayConfig,
} from './config.ts';
import {
  clientAddress,
  createContextFactory,
  proxySecretHeader,
  proxyTrust,
  type GatewayContext,
} from './context.ts';
import { SubgraphSource } from './data-source.ts';
import { createGatewayFormatError } from './errors.ts';
import {
  ensureBody,
  errorHandler,
  isOriginForm,
  jsonBody,
  notFound,
  refuseTarget,
  requireJson,
} from './http-guards.ts';
import { costWithVariables, operationLimits } from './limits.ts';
import { metricsPlugin, socketSources } from './metrics.ts';
import { tracingPlugin } from './tracing.ts';
import { operationNamePlugin } from './operation-name.ts';
import { loadManifest, persistedOperations, resolvePersisted } from './persisted.ts';
import { createSupergraphSource } from './supergraph.ts';
import { mountExplorer } from './explorer/index.ts';
import { mountDevelopers } from './developers/index.ts';
import { cors, mountFileRoutes } from './files.ts';
import { fileRouteScopes, mountOAuthForwarding } from './oauth.ts';
import { appOf, holdsScopes } from '@yuejuan/platform';
import { GraphQLError } from 'graphql';
import { attachSubscriptions } from './subscriptions/index.ts';
import { createAppGate } from './app-gate.ts';
import { createAppLimits } from './app-limits.ts';
import { createAppOperations } from './app-operations.ts';
import { subscriptionLimits } from './ws-policy.ts';
import { createContractGuard } from './contract.ts';

export interface Gateway {
  /** Starts listening; resolves with the GraphQL URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
  /** Open WebSocket clients and upstream subscriptions (tests check none is left behind). */
  subscriptionStats(): { clients: number; subscriptions: number; sockets: number };
  /** Reads SUPERGRAPH_PATH again (as SIGHUP does); false when refused and the old schema stays. */
  reloadSupergraph(): Promise<boolean>;
}

/**
 * The Apollo gateway over the committed supergraph: authenticates callers, forwards their
 * identity to each subgraph in a token minted for it, serves the offline explorer and health.
 */
export function createGateway(config: GatewayConfig, logger: Logger): Gateway {
  const overrides = subgraphUrlOverrides(config);
  const urlOf = (name: string, fallback?: string) =>
    overrides[name] ?? fallback ?? defaultSubgraphUrl(name as SubgraphName);
  const supergraph = createSupergraphSource(config.SUPERGRAPH_PATH, {
    pollMs: config.SUPERGRAPH_POLL_MS,
    logger,
  });
  const supergraphSdl = supergraph.current();
  // Applications (OAuth tokens) see only the integrators' contract (contract.ts).
  const contract = createContractGuard(supergraphSdl, logger);
  const manifest = loadManifest(config.PERSISTED_OPERATIONS_PATH);
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.hook,
    buildService: ({ name, url }) =>
      new SubgraphSource({
        name,
        url: urlOf(name, url),
        secret: config.YUEJUAN_INTERNAL_SECRET,
        timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
        logger,
      }),
    logger,
  });
  const app = express();
  app.disable('x-powered-by');
  // No ETag on answers: a GraphQL POST is never revalidated, and hashing every body costs CPU.
  app.disable('etag');
  // Every request target is checked before Express parses it: only origin-form reaches a route.
  // Each request is the root of its trace (a client's traceparent is only linked).
  const httpServer = http.createServer(
    traceRequests((req, res) => (isOriginForm(req.url) ? app(req, res) : refuseTarget(res)), {
      continueTrace: false,
    }),
  );
  const production = config.NODE_ENV === 'production';
  const apollo = new ApolloServer<GatewayContext>({
    // runService handles SIGINT/SIGTERM (the drain first, then stop()); Apollo's own handler
    // would close the port at once, under requests a load balancer is still sending.
    stopOnTerminationSignals: false,
    gateway,
    formatError: createGatewayFormatError(logger, production),
    includeStacktraceInErrorResponses: false,
    introspection: !production || explorerEnabled(config),
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Apollo's automatic persisted queries would let anyone register operations: only the manifest counts.
    persistedQueries: false,
    ...operationLimits(config),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      operationNamePlugin,
      costWithVariables(config),
      metricsPlugin,
      tracingPlugin,
      contract.plugin,
      {
        // Late-bound: the gate is made after the server (it needs the context factory).
        requestDidStart: (rc) => appGate.logPlugin.requestDidStart!(rc),
      },
    ],
  });
  const context = createContextFactory({
    identityBaseUrl: urlOf('identity'),
    secret: config.YUEJUAN_INTERNAL_SECRET,
    timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
  });
  // Integrators' applications: attribution, per-app rate limits and allowlists (app-gate.ts).
  const appGate = createAppGate({
    limits: createAppLimits({
      replicas: config.GATEWAY_REPLICAS,
      windowMs: config.APP_RATE_LIMIT_WINDOW_MS,
    }),
    operations: createAppOperations({
      identityBaseUrl: urlOf('identity'),
      secret: config.YUEJUAN_INTERNAL_SECRET,
      timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    }),
    manifest,
    persistedOnly: persistedOnly(config),
    maxTokens: config.GRAPHQL_MAX_TOKENS,
    logger,
  });

  // This instance: 503 while it drains (a load balancer checks this, not /ready: every gateway
  // shares the same subgraphs, so one unavailable subgraph must not take all of them out).
  app.get('/health', (_req, res) => {
    if (isDraining()) {
      res.status(503).json({ status: 'draining', service: 'gateway' });
      return;
    }
    res.json({ status: 'ok', service: 'gateway', subscriptions: subscriptions?.stats() ?? null });
  });
  app.get('/ready', async (_req, res) => {
    if (isDraining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const checks = await Promise.all(
      subgraphNames.map(async (name) => {
        const ok = await fetch(new URL('/ready', urlOf(name)), {
          signal: AbortSignal.timeout(2000),
        }).then(
          (r) => r.ok,
          () => false,
        );
        return [name, ok ? 'ready' : 'unavailable'] as const;
      }),
    );
    const ready = checks.every(([, s]) => s === 'ready');
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'degraded', subgraphs: Object.fromEntries(checks) });
  });
  if (explorerEnabled(config)) mountExplorer(app);
  mountDevelopers(app, {
    config,
    supergraph: () => supergraph.current(),
    explorer: explorerEnabled(config),
  });
  const trust = proxyTrust(config.YUEJUAN_TRUSTED_PROXIES, config.YUEJUAN_PROXY_SECRET);
  const header = (request: http.IncomingMessage, name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  /** Who is at the other end: the same rule for HTTP, file routes and WebSocket. */
  const clientOf = (request: http.IncomingMessage) => ({
    ip: clientAddress(
      request.socket.remoteAddress,
      header(request, 'x-forwarded-for'),
      trust,
      header(request, proxySecretHeader),
    ),
    userAgent: header(request, 'user-agent'),
  });
  app.use(cors(subscriptionLimits(config).checkOrigin));
  mountOAuthForwarding(app, {
    identityBaseUrl: urlOf('identity'),
    clientIp: (req) => clientOf(req).ip,
    timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
  });
  mountFileRoutes(app, {
    baseUrlOf: (name) => urlOf(name),
    secret: config.YUEJUAN_INTERNAL_SECRET,
    authenticate: async (req) => {
      const c = await context(
        req.header('authorization'),
        req.header('x-request-id') ?? undefined,
        clientOf(req),
      );
      // Applications reach only the file routes their scopes name (volume intake).
      if (appOf(c.identity) && !holdsScopes(c.identity, fileRouteScopes[req.path] ?? []))
        throw new GraphQLError('该应用未获得访问此数据的授权。', {
          extensions: { code: 'INSUFFICIENT_SCOPE', http: { status: 403 } },
        });
      await appGate.file(c, req, req.res!);
      return c;
    },
    timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
  });

  let subscriptions: ReturnType<typeof attachSubscriptions> | undefined;
  const socketStats = () => {
    const s = subscriptions?.stats();
    return { clients: s?.clients ?? 0, subscriptions: s?.subscriptions ?? 0 };
  };
  let started = false;
  return {
    async start() {
      await apollo.start();
      subscriptions = attachSubscriptions({
        httpServer,
        supergraphSdl,
        subgraphUrls: Object.fromEntries(subgraphNames.map((n) => [n, urlOf(n)])),
        sources: Object.fromEntries(
          subgraphNames.map((n) => [
            n,
            new SubgraphSource({
              name: n,
              url: urlOf(n),
              secret: config.YUEJUAN_INTERNAL_SECRET,
              timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
            }),
          ]),
        ),
        secret: config.YUEJUAN_INTERNAL_SECRET,
        logger,
        authenticate: (authorization, request) =>
          context(authorization, undefined, clientOf(request)),
        persisted: (body, c) =>
          c.app
            ? appGate.admit(c, body, 'ws')
            : resolvePersisted(body, {
                manifest,
                freeText: freeTextAllowed(config),
                maxTokens: config.GRAPHQL_MAX_TOKENS,
              }),
        operationLimits: {
          maxTokens: config.GRAPHQL_MAX_TOKENS,
          validationRules: operationLimits(config).validationRules,
        },
        runOperation: async (request, contextValue) => {
          const response = await apollo.executeOperation(request, { contextValue });
          return (
            response.body.kind === 'single' ? response.body.singleResult : { errors: [] }
          ) as never;
        },
        limits: subscriptionLimits(config),
        contract: (document, c) => contract.refuse(document, c.identity),
      });
      supergraph.onUpdate((sdl) => subscriptions?.updateSupergraph(sdl));
      supergraph.onUpdate((sdl) => contract.update(sdl));
      socketSources.add(socketStats);
      app.use(
        '/graphql',
        requireJson,
        jsonBody(),
        appGate.http(
          (req) =>
            context(
              req.header('authorization'),
              req.header('x-request-id') ?? undefined,
              clientOf(req),
            ),
          persistedOperations({
            manifest,
            freeText: freeTextAllowed(config),
            maxTokens: config.GRAPHQL_MAX_TOKENS,
          }),
        ),
        ensureBody,
        expressMiddleware(apollo, {
          context: ({ req }) =>
            appGate.contextOf(req) ??
            context(
              req.header('authorization'),
              req.header('x-request-id') ?? undefined,
              clientOf(req),
            ),
        }),
      );
      app.use(notFound, errorHandler(logger));
      supergraph.watch();
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.PORT, config.HOST, () => resolve());
      });
      started = true;
      const { port } = httpServer.address() as AddressInfo;
      const url = `http://${config.HOST}:${port}/graphql`;
      logger.info(
        {
          url,
          explorer: explorerEnabled(config),
          persistedOnly: persistedOnly(config),
          persistedOperations: manifest.size,
        },
        'gateway ready',
      );
      if (!freeTextAllowed(config) && manifest.size === 0)
        logger.warn(
          { path: config.PERSISTED_OPERATIONS_PATH },
          'persisted-only with an empty manifest: every operation will be refused',
        );
      return url;
    },
    reloadSupergraph: () => supergraph.reload(),
    subscriptionStats: () => subscriptions?.stats() ?? { clients: 0, subscriptions: 0, sockets: 0 },
    async stop() {
      if (!started) return;
      started = false;
      supergraph.unwatch();
      socketSources.delete(socketStats);
      await subscriptions?.close();
      await apollo.stop();
      if (httpServer.listening)
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
