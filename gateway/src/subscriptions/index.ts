import type http from 'node:http';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { ServiceMap } from '@apollo/gateway';
import type { Logger } from '@yuejuan/runtime';
import type { GatewayContext } from '../context.ts';
import type { SubscriptionLimits } from '../ws-policy.ts';
import { federatedSubscription } from './execute.ts';
import { createSubscriptionPlanner, type Planned } from './planner.ts';
import { createUpstreamPool } from './upstream.ts';
import { createSharing, sharingKey } from './shared.ts';

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  supergraphSdl: string;
  sources: ServiceMap;
  subgraphUrls: Record<string, string>;
  secret: string;
  logger: Logger;
  /** Authenticates a connection from its `connection_init` payload (same rules as HTTP). */
  authenticate: (authorization: string | undefined, request: import('node:http').IncomingMessage) => Promise<GatewayContext>;
  /** The HTTP pipeline's persisted-operations policy, applied to each operation sent over the socket. */
  persisted: (payload: Record<string, unknown>) => { code: string; message: string } | null;
  /** The HTTP pipeline's operation limits (parser tokens, graphql-armor rules). */
  operationLimits: { maxTokens: number; validationRules: readonly import('graphql').ValidationRule[] };
  /** Runs a query or mutation sent over the socket through the HTTP pipeline's executor. */
  runOperation: (request: { query: string; variables?: Record<string, unknown>; operationName?: string }, context: GatewayContext) => Promise<ExecutionResult>;
  limits: SubscriptionLimits;
}

interface ConnectionState {
  authorization?: string;
  context?: GatewayContext;
  subscriptions: number;
  recheck?: NodeJS.Timeout;
}

type OperationContextValue = { planned: Planned; gateway: GatewayContext; request: { query: string; variables?: Record<string, unknown>; operationName?: string } };

const authorizationOf = (params: Record<string, unknown> | undefined) => {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
};

/**
 * Federated subscriptions at `ws://<gateway>/graphql` (graphql-ws): authenticates the
 * connection, plans each subscription against the supergraph, opens its primary subscription
 * on the owning subgraph over a shared upstream socket and completes every event across the
 * other subgraphs. Queries and mutations work over the same socket.
 */
export function attachSubscriptions(options: SubscriptionServerOptions) {
  const { logger, limits } = options;
  let planner = createSubscriptionPlanner(options.supergraphSdl, options.operationLimits);
  const upstream = createUpstreamPool({ urls: options.subgraphUrls, secret: options.secret, logger });
  const sharing = createSharing();
  const states = new WeakMap<object, ConnectionState>();
  const stateOf = (extra: object) => {
    let s = states.get(extra);
    if (!s) states.set(extra, (s = { subscriptions: 0 }));
    return s;
  };

  const wss = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    maxPayload: limits.maxPayloadBytes,
    verifyClient: ({ origin }: { origin?: string }) => limits.checkOrigin(origin),
  });
  const server = useServer<Record<string, unknown> | undefined, { socket: import('ws').WebSocket; request: import('node:http').IncomingMessage }>(
    {
      schema: planner.apiSchemaJs,
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const state = stateOf(ctx.extra);
        state.authorization = authorizationOf(ctx.connectionParams);
        try {
          state.context = await options.authenticate(state.authorization, ctx.extra.request);
        } catch {
          return false; // 4403 Forbidden: a token was given and is not valid
        }
        if (state.authorization) {
          // A revoked session loses its subscriptions within one recheck period.
          state.recheck = setInterval(() => {
            options.authenticate(state.authorization, ctx.extra.request).catch(() => ctx.extra.socket.close(4401, 'Session ended'));
          }, limits.sessionRecheckMs);
          state.recheck.unref();
        }
        return true;
      },
      onClose: (ctx) => clearInterval(stateOf(ctx.extra).recheck),
      onSubscribe: (ctx, _id, payload) => {
        const state = stateOf(ctx.extra);
        if (state.subscriptions >= limits.maxSubscriptionsPerSocket) {
          return [new GraphQLError('订阅数量已达上限。', { extensions: { code: 'RATE_LIMITED' } })];
        }
        // The same persisted-operations policy as HTTP: in production only manifest operations.
        const body = { ...payload } as Record<string, unknown>;
        const refusal = options.persisted(body);
        if (refusal) return [new GraphQLError(refusal.message, { extensions: { code: refusal.code } })];
        payload = { ...payload, query: body.query as string };
        const planned = planner.plan(payload.query, payload.operationName);
        if (planned.kind === 'invalid') return planned.errors.map((e) => new GraphQLError(e.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        const document = planned.kind === 'subscription' ? planned.plan.document : planned.document;
        const contextValue: OperationContextValue = { planned, gateway: state.context!, request: { query: payload.query, variables: payload.variables ?? undefined, operationName: payload.operationName ?? undefined } };
        return { schema: planner.apiSchemaJs, document, operationName: payload.operationName, variableValues: payload.variables, contextValue } satisfies ExecutionArgs;
      },
      subscribe: (args) => {
        const { planned, gateway, request } = args.contextValue as OperationContextValue;
        if (planned.kind !== 'subscription') throw new Error('not a subscription');
        const variables = (args.variableValues ?? {}) as Record<string, unknown>;
        return sharing.open(sharingKey(gateway.identity, request.query, request.operationName, variables), () =>
          federatedSubscription({ plan: planned.plan, planner, upstream, sources: options.sources, context: gateway, variables, logger }));
      },
      execute: (args) => {
        const { request, gateway } = args.contextValue as OperationContextValue;
        return options.runOperation(request, gateway);
      },
      onOperation: (ctx) => { stateOf(ctx.extra).subscriptions++; },
      onComplete: (ctx) => { stateOf(ctx.extra).subscriptions--; },
    },
    wss,
  );

  return {
    stats: () => ({ clients: wss.clients.size, ...upstream.stats(), ...sharing.stats() }),
    /** A reloaded supergraph: new subscriptions are planned against it. */
    updateSupergraph(sdl: string) {
      planner = createSubscriptionPlanner(sdl, options.operationLimits);
    },
    async close() {
      await server.dispose();
      await upstream.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
