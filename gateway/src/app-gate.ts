// Where integrators' applications meet the gateway's edge (issue 16 part 5): each request made
// with an application's OAuth token is attributed to the application (a JSON log line naming its
// client id, and the metrics' `client` label, see metrics.ts), takes a point of its rate limit
// (app-limits.ts) and passes its persisted-operation allowlist (app-operations.ts), on HTTP,
// file routes and each WebSocket operation alike. Requests with a person's session, or none,
// keep the deployment's persisted-operation policy unchanged and pay nothing here.
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GraphQLError } from 'graphql';
import type { Logger } from '@yuejuan/platform';
import type { GatewayContext } from './context.ts';
import type { AppLimits } from './app-limits.ts';
import type { AppOperations, OperationSet } from './app-operations.ts';
import { refusalsTotal } from './metrics.ts';
import { looksLikeJwt } from './oauth.ts';
import { resolvePersisted, type PersistedRefusal } from './persisted.ts';

/** A refusal at the edge: the persisted-operation policy's, or a rate limit's (with Retry-After). */
export type EdgeRefusal = PersistedRefusal & {
  retryAfterSeconds?: number;
  extensions?: Record<string, unknown>;
};

const unavailable: EdgeRefusal = {
  status: 503,
  code: 'SERVICE_UNAVAILABLE',
  message: '身份服务暂不可用，请稍后再试。',
};
const postOnly: EdgeRefusal = {
  status: 405,
  code: 'METHOD_NOT_ALLOWED',
  message: '请使用 POST 提交 GraphQL 请求。',
};

/** Sends a refusal as a GraphQL-shaped JSON answer (429s with Retry-After). */
export function sendRefusal(res: Response, refusal: EdgeRefusal): void {
  if (refusal.retryAfterSeconds !== undefined)
    res.set('retry-after', String(refusal.retryAfterSeconds));
  if (refusal.status === 405) res.set('allow', 'POST');
  res.status(refusal.status).json({
    errors: [
      { message: refusal.message, extensions: { code: refusal.code, ...refusal.extensions } },
    ],
  });
}

/** The GraphQL error of a refusal (WebSocket operations, file routes). */
export const refusalError = (refusal: EdgeRefusal) =>
  new GraphQLError(refusal.message, {
    extensions: {
      code: refusal.code,
      ...refusal.extensions,
      http: { status: refusal.status },
    },
  });

const bearerJwt = (authorization: string | undefined) =>
  !!authorization?.startsWith('Bearer ') && looksLikeJwt(authorization.slice(7));

export interface AppGateOptions {
  limits: AppLimits;
  operations: AppOperations;
  /** The deployment's persisted manifest. */
  manifest: OperationSet;
  /** The deployment's default for applications whose switch is unset (persisted-only: on). */
  persistedOnly: boolean;
  maxTokens: number;
  logger: Logger;
}

export function createAppGate(o: AppGateOptions) {
  /** Contexts authenticated ahead of Apollo (application tokens only), by request. */
  const early = new WeakMap<Request, Promise<GatewayContext>>();

  /**
   * An application's operation: one point of its limit, then its allowlist. Resolves the body in
   * place (as resolvePersisted does); null to go on. Not for callers that are not applications.
   */
  async function admit(
    context: GatewayContext,
    body: Record<string, unknown> | undefined,
    transport: 'http' | 'ws',
  ): Promise<EdgeRefusal | null> {
    const app = context.app!;
    const limited = await o.limits.take(app, transport);
    if (limited) {
      o.logger.warn(
        {
          app: app.clientId,
          requestId: context.requestId,
          transport,
          limit: app.rateLimitPerMinute,
        },
        'application over its rate limit',
      );
      return limited;
    }
    const only = app.operationsOnly ?? o.persistedOnly;
    if (!body) return only ? postOnly : null;
    let set: OperationSet;
    try {
      set = only
        ? await o.operations.registered(app.clientId, app.operationsRevision)
        : await o.operations.withManifest(app.clientId, app.operationsRevision, o.manifest);
    } catch (err) {
      o.logger.error({ err, app: app.clientId }, 'registered operations unavailable');
      return unavailable;
    }
    const refusal = resolvePersisted(body, {
      manifest: set,
      freeText: !only,
      maxTokens: o.maxTokens,
    });
    if (refusal) {
      o.logger.info(
        { app: app.clientId, requestId: context.requestId, transport, code: refusal.code },
        'application operation refused',
      );
    }
    return refusal;
  }

  return {
    admit,

    /**
     * /graphql: a request with an application token (a JWT) is authenticated here, before the
     * persisted-operation policy, which then is the application's; any other request goes to
     * `fallback` (the deployment's policy) as before. A failed authentication is left to Apollo's
     * context (the same 401/503 answers as before).
     */
    http(
      authenticate: (req: Request) => Promise<GatewayContext>,
      fallback: RequestHandler,
    ): RequestHandler {
      return (req: Request, res: Response, next: NextFunction) => {
        if (!bearerJwt(req.header('authorization'))) return fallback(req, res, next);
        const pending = authenticate(req);
        early.set(req, pending);
        pending
          .then(
            async (context) => {
              if (!context.app) return fallback(req, res, next);
              const body =
                req.method === 'POST' &&
                req.body &&
                typeof req.body === 'object' &&
                !Array.isArray(req.body)
                  ? (req.body as Record<string, unknown>)
                  : undefined;
              const refusal = await admit(context, body, 'http');
              if (!refusal) return next();
              refusalsTotal.inc({ reason: refusal.code, transport: 'http' });
              sendRefusal(res, refusal);
            },
            () => next(),
          )
          .catch(next);
      };
    },

    /** The context `http` already made for this request, if any (Apollo's context reuses it). */
    contextOf: (req: Request): Promise<GatewayContext> | undefined => early.get(req),

    /** File routes: an application's request takes a point of its limit (throws the refusal). */
    async file(context: GatewayContext, req: Request, res: Response): Promise<void> {
      const app = context.app;
      if (!app) return;
      const limited = await o.limits.take(app, 'file');
      o.logger.info(
        {
          app: app.clientId,
          requestId: context.requestId,
          transport: 'file',
          route: (req.route as { path?: string } | undefined)?.path,
          outcome: limited ? limited.code : 'ok',
        },
        'application request',
      );
      if (limited) {
        res.set('retry-after', String(limited.retryAfterSeconds));
        throw refusalError(limited);
      }
    },

    /** One JSON log line per GraphQL operation of an application (HTTP and WebSocket). */
    logPlugin: {
      async requestDidStart({ contextValue, request }) {
        const app = contextValue?.app;
        if (!app) return;
        const started = performance.now();
        return {
          async willSendResponse({ operationName, errors }) {
            o.logger.info(
              {
                app: app.clientId,
                requestId: contextValue.requestId,
                transport: request.http ? 'http' : 'ws',
                operation: operationName ?? request.operationName ?? null,
                outcome: errors?.length
                  ? String(errors[0]!.extensions?.code ?? 'INTERNAL_SERVER_ERROR')
                  : 'ok',
                ms: Math.round((performance.now() - started) * 10) / 10,
              },
              'application request',
            );
          },
        };
      },
    } satisfies ApolloServerPlugin<GatewayContext>,
  };
}
export type AppGate = ReturnType<typeof createAppGate>;
