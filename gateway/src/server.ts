import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { createFormatError, type Logger } from '@yuejuan/runtime';
import { defaultSubgraphUrl, subgraphNames, type SubgraphName } from '@yuejuan/schema';
import { explorerEnabled, subgraphUrlOverrides, type GatewayConfig } from './config.ts';
import { createContextFactory, type GatewayContext } from './context.ts';
import { SubgraphSource } from './data-source.ts';
import { mountExplorer } from './explorer/index.ts';

export interface Gateway {
  /** Starts listening; resolves with the GraphQL URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The Apollo gateway over the committed supergraph: authenticates callers, forwards their
 * identity to each subgraph in a token minted for it, serves the offline explorer and health.
 */
export function createGateway(config: GatewayConfig, logger: Logger): Gateway {
  const overrides = subgraphUrlOverrides(config);
  const urlOf = (name: string, fallback?: string) => overrides[name] ?? fallback ?? defaultSubgraphUrl(name as SubgraphName);
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name, url }) => new SubgraphSource({ name, url: urlOf(name, url), secret: config.YUEJUAN_INTERNAL_SECRET, timeoutMs: config.SUBGRAPH_TIMEOUT_MS }),
    logger,
  });
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const production = config.NODE_ENV === 'production';
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createFormatError(logger, production),
    includeStacktraceInErrorResponses: false,
    introspection: !production || explorerEnabled(config),
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled()],
  });
  const context = createContextFactory({ identityBaseUrl: urlOf('identity'), secret: config.YUEJUAN_INTERNAL_SECRET, timeoutMs: config.SUBGRAPH_TIMEOUT_MS });

  app.get('/health', (_req, res) => { res.json({ status: 'ok', service: 'gateway' }); });
  app.get('/ready', async (_req, res) => {
    const checks = await Promise.all(
      subgraphNames.map(async (name) => {
        const ok = await fetch(new URL('/ready', urlOf(name)), { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
        return [name, ok ? 'ready' : 'unavailable'] as const;
      }),
    );
    const ready = checks.every(([, s]) => s === 'ready');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'degraded', subgraphs: Object.fromEntries(checks) });
  });
  if (explorerEnabled(config)) mountExplorer(app);

  let started = false;
  return {
    async start() {
      await apollo.start();
      app.use('/graphql', express.json({ limit: '64kb' }), expressMiddleware(apollo, {
        context: ({ req }) => context(req.header('authorization'), req.header('x-request-id') ?? undefined),
      }));
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.PORT, config.HOST, () => resolve());
      });
      started = true;
      const { port } = httpServer.address() as AddressInfo;
      const url = `http://${config.HOST}:${port}/graphql`;
      logger.info({ url, explorer: explorerEnabled(config) }, 'gateway ready');
      return url;
    },
    async stop() {
      if (!started) return;
      started = false;
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
