// The server span of every HTTP request a service answers (our own, rather than
// @opentelemetry/instrumentation-http: that one patches node:http through require hooks, which
// our bundled ES modules do not pass through, and it would also trace every keep-alive probe).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace, type Link } from '@opentelemetry/api';
import { failSpan, tracer, tracingActive } from './tracing.ts';

/** Probes of load balancers and monitors: answered without a span. */
const untracedPaths = new Set(['/health', '/ready']);
/** Paths that are their own route; any other is named by its Express route template. */
const fixedRoutes = new Set(['/graphql']);

const pathOf = (url: string | undefined) => {
  const q = (url ?? '/').indexOf('?');
  return q < 0 ? (url ?? '/') : url!.slice(0, q);
};

/**
 * Wraps a request listener so each request runs in a SERVER span named `METHOD route` (the
 * Express route template, never the path: download paths carry grants), ended when the answer
 * is sent or the client leaves. `continueTrace`: whether an incoming `traceparent` is the parent
 * (subgraphs, called by the gateway) or only a link (the public gateway: a client must not
 * choose our trace or its sampling). Without tracing the listener is returned as it is.
 */
export function traceRequests(
  listener: RequestListener,
  options: { continueTrace: boolean },
): RequestListener {
  return (req, res) => {
    if (!tracingActive()) return listener(req, res);
    const path = pathOf(req.url);
    if (untracedPaths.has(path)) return listener(req, res);
    const remote = propagation.extract(ROOT_CONTEXT, req.headers);
    const remoteSpan = trace.getSpanContext(remote);
    const parent = options.continueTrace ? remote : ROOT_CONTEXT;
    const links: Link[] = !options.continueTrace && remoteSpan ? [{ context: remoteSpan }] : [];
    const method = req.method ?? 'GET';
    const span = tracer().startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        links,
        attributes: {
          'http.request.method': method,
          'server.port': req.socket.localPort ?? 0,
          ...(fixedRoutes.has(path) ? { 'http.route': path } : {}),
        },
      },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    let ended = false;
    const end = (res: ServerResponse, closedEarly: boolean) => {
      if (ended) return;
      ended = true;
      const route = fixedRoutes.has(path) ? path : routeOf(req);
      if (route) {
        span.setAttribute('http.route', route);
        span.updateName(`${method} ${route}`);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) failSpan(span, { name: String(res.statusCode) });
      else if (closedEarly) span.setAttribute('yuejuan.client_closed', true);
      span.end();
    };
    res.once('finish', () => end(res, false));
    res.once('close', () => end(res, !res.writableFinished));
    context.with(ctx, () => {
      // Body streams emit on the socket's context: their listeners are bound to the request's.
      context.bind(ctx, req);
      context.bind(ctx, res);
      listener(req, res);
    });
  };
}

/** The Express route template that answered (`/downloads/:grant`), when one did. */
const routeOf = (req: IncomingMessage): string | undefined => {
  const route = (req as IncomingMessage & { route?: { path?: unknown } }).route?.path;
  return typeof route === 'string' ? route : undefined;
};
