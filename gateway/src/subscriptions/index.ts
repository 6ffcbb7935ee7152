import type http from 'node:http';
import { GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { ServiceMap } from '@apollo/gateway';
import { inSpan, SpanKind, type Logger } from '@yuejuan/platform';
import type { GatewayContext } from '../context.ts';
import type { SubscriptionLimits } from '../ws-policy.ts';
import { federatedSubscription } from './execute.ts';
import { createSubscriptionPlanner, type Planned } from './planner.ts';
import { createUpstreamPool } from './upstream.ts';
import { refusalsTotal } from '../metrics.ts';
import { createSharing, sharingKey } from './shared.ts';

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  supergraphSdl: string;
  sources: ServiceMap;
  subgraphUrls: Record<string, string>;
  secret: string;
  logger: Logger;
  /** Authenticates a connection from its `connection_init` payload (same rules as HTTP). */
  authenticate: (
    authorization: string | undefined,
    request: import('node:http').IncomingMessage,
  ) => Promise<GatewayContext>;
  /**
   * The HTTP pipeline's persisted-operations policy, applied to each operation sent over the
   * socket with the caller's context (an application's limit and allowlist: app-gate.ts).
   */
  persisted: (
    payload: Record<string, unknown>,
    context: GatewayContext,
  ) =>
    | { code: string; message: string; extensions?: Record<string, unknown> }
    | null
    | Promise<{ code: string; message: string; extensions?: Record<string, unknown> } | null>;
  /** The HTTP pipeline's operation limits (parser tokens, graphql-armor rules). */
  operationLimits: {
    maxTokens: number;
    validationRules: readonly import('graphql').ValidationRule[];
  };
  /** Runs a query or mutation sent over the socket through the HTTP pipeline's executor. */
  runOperation: (
    request: { query: string; variables?: Record<string, unknown>; operationName?: string },
    context: GatewayContext,
  ) => Promise<ExecutionResult>;
  limits: SubscriptionLimits;
  /** The integrators' contract: errors for an operation outside it (none for people). */
  contract?: (document: DocumentNode, context: GatewayContext) => readonly GraphQLError[];
}

interface ConnectionState {
  authorization?: string;
  context?: GatewayContext;
  subscriptions: number;
  recheck?: NodeJS.Timeout;
  /** The session the socket was opened with (its sockets close when it ends). */
  sessionId?: string;
}

const sessionIdOf = (context: GatewayContext | undefined) =>
  context && 'sessionId' in context.identity ? context.identity.sessionId : undefined;

/** Close code and reason of a socket whose session ended (graphql-ws clients see 4401). */
const sessionEnded = [4401, 'Session ended'] as const;

type OperationContextValue = {
  planned: Planned;
  gateway: GatewayContext;
  request: { query: string; variables?: Record<string, unknown>; operationName?: string };
};

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
  const upstream = createUpstreamPool({
    urls: options.subgraphUrls,
    secret: options.secret,
    logger,
  });
  const sharing = createSharing();
  const states = new WeakMap<object, ConnectionState>();
  /** Open sockets by session id, so a session that ends closes its sockets at once. */
  const socketsOf = new Map<string, Set<import('ws').WebSocket>>();
  const register = (sessionId: string, socket: import('ws').WebSocket) => {
    let set = socketsOf.get(sessionId);
    if (!set) socketsOf.set(sessionId, (set = new Set()));
    set.add(socket);
  };
  const unregister = (sessionId: string | undefined, socket: import('ws').WebSocket) => {
    const set = sessionId ? socketsOf.get(sessionId) : undefined;
    if (!set) return;
    set.delete(socket);
    if (set.size === 0) socketsOf.delete(sessionId!);
  };
  const closeSessions = (sessionIds: unknown) => {
    if (!Array.isArray(sessionIds)) return;
    for (const id of sessionIds)
      for (const socket of socketsOf.get(String(id)) ?? []) socket.close(...sessionEnded);
  };
  const endedWatch = watchEndedSessions(upstream, logger, closeSessions);
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
  const server = useServer<
    Record<string, unknown> | undefined,
    { socket: import('ws').WebSocket; request: import('node:http').IncomingMessage }
  >(
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
        state.sessionId = sessionIdOf(state.context);
        if (state.sessionId) register(state.sessionId, ctx.extra.socket);
        if (state.authorization) {
          // Identity announces sessions that end (watchEndedSessions); this recheck is the net
          // under it, for a session that merely expired or an announcement that was missed.
          state.recheck = setInterval(() => {
            options
              .authenticate(state.authorization, ctx.extra.request)
              .catch(() => ctx.extra.socket.close(...sessionEnded));
          }, limits.sessionRecheckMs);
          state.recheck.unref();
        }
        return true;
      },
      onClose: (ctx) => {
        const state = stateOf(ctx.extra);
        clearInterval(state.recheck);
        unregister(state.sessionId, ctx.extra.socket);
      },
      onSubscribe: async (ctx, _id, payload) => {
        const state = stateOf(ctx.extra);
        if (state.subscriptions >= limits.maxSubscriptionsPerSocket) {
          return [new GraphQLError('订阅数量已达上限。', { extensions: { code: 'RATE_LIMITED' } })];
        }
        // Every operation on the socket is authorised as an HTTP request would be: the session is
        // resolved again (logout, revocation and the end of the verified window count at once).
        try {
          state.context = await options.authenticate(state.authorization, ctx.extra.request);
        } catch (err) {
          const code = (err as GraphQLError).extensions?.code;
          if (code === 'UNAUTHENTICATED') ctx.extra.socket.close(...sessionEnded);
          return [
            err instanceof GraphQLError
              ? err
              : new GraphQLError('身份服务暂不可用，请稍后再试。', {
                  extensions: { code: 'SERVICE_UNAVAILABLE' },
                }),
          ];
        }
        // The same persisted-operations policy as HTTP: in production only manifest operations.
        const body = { ...payload } as Record<string, unknown>;
        const refusal = await options.persisted(body, state.context!);
        if (refusal) {
          refusalsTotal.inc({ reason: refusal.code, transport: 'ws' });
          return [
            new GraphQLError(refusal.message, {
              extensions: { ...refusal.extensions, code: refusal.code },
            }),
          ];
        }
        payload = { ...payload, query: body.query as string };
        const planned = planner.plan(payload.query, payload.operationName);
        if (planned.kind === 'invalid')
          return planned.errors.map(
            (e) =>
              new GraphQLError(e.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
          );
        const document = planned.kind === 'subscription' ? planned.plan.document : planned.document;
        const outside = options.contract?.(document, state.context!) ?? [];
        if (outside.length) return [...outside];
        const contextValue: OperationContextValue = {
          planned,
          gateway: state.context!,
          request: {
            query: payload.query,
            variables: payload.variables ?? undefined,
            operationName: payload.operationName ?? undefined,
          },
        };
        return {
          schema: planner.apiSchemaJs,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        } satisfies ExecutionArgs;
      },
      subscribe: (args) => {
        const { planned, gateway, request } = args.contextValue as OperationContextValue;
        if (planned.kind !== 'subscription') throw new Error('not a subscription');
        const variables = (args.variableValues ?? {}) as Record<string, unknown>;
        return sharing.open(
          sharingKey(gateway.identity, request.query, request.operationName, variables),
          () =>
            federatedSubscription({
              plan: planned.plan,
              planner,
              upstream,
              sources: options.sources,
              context: gateway,
              variables,
              logger,
            }),
        );
      },
      // A query or mutation sent over the socket is a server span of its own, as over HTTP.
      execute: (args) => {
        const { request, gateway } = args.contextValue as OperationContextValue;
        return inSpan(
          'graphql-ws operation',
          {
            kind: SpanKind.SERVER,
            attributes: {
              'network.transport': 'websocket',
              ...(request.operationName ? { 'graphql.operation.name': request.operationName } : {}),
            },
          },
          () => options.runOperation(request, gateway),
        );
      },
      onOperation: (ctx) => {
        stateOf(ctx.extra).subscriptions++;
      },
      onComplete: (ctx) => {
        stateOf(ctx.extra).subscriptions--;
      },
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
      await endedWatch.stop();
      await server.dispose();
      await upstream.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * Follows identity's `sessionsEnded` (a subscription only the gateway may open, hidden from the
 * public API) and hands each batch of ended session ids to `onEnded`. Resubscribes after a
 * second when the upstream ends (identity restarted): each subscription needs a fresh token.
 */
function watchEndedSessions(
  upstream: ReturnType<typeof createUpstreamPool>,
  logger: Logger,
  onEnded: (sessionIds: unknown) => void,
) {
  let stopped = false;
  let current: Awaited<ReturnType<typeof upstream.subscribe>> | undefined;
  let wake: (() => void) | undefined;
  const loop = async () => {
    while (!stopped) {
      try {
        current = await upstream.subscribe(
          'identity',
          'subscription SessionsEnded { sessionsEnded { sessionIds } }',
          {},
          { role: 'SERVICE', service: 'gateway' },
          false,
        );
        for await (const event of current) {
          const ended = (
            event.data as { sessionsEnded?: { sessionIds?: unknown } } | null | undefined
          )?.sessionsEnded;
          if (ended) onEnded(ended.sessionIds);
          else if (event.errors?.length)
            logger.warn({ errors: event.errors }, 'ended-sessions watch refused');
        }
      } catch (err) {
        logger.debug({ err }, 'ended-sessions watch interrupted');
      }
      if (!stopped)
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000).unref();
        });
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await current?.return?.();
      await running.catch(() => undefined);
    },
  };
}
