import http from 'node:http';
import type { Express, Request, RequestHandler, Response } from 'express';
import { internalTokenHeader, mintInternalToken } from '@yuejuan/platform';
import type { GatewayContext } from './context.ts';
import { sendError } from './http-guards.ts';
import { upstreamSpan } from './tracing.ts';

/** File routes: uploads and downloads live beside GraphQL, served by the owning subgraph. */
export const fileRoutes = [
  { method: 'post', path: '/uploads/attachments', subgraph: 'cases' },
  { method: 'get', path: '/downloads/attachments/:id', subgraph: 'cases' },
  { method: 'post', path: '/uploads/volumes', subgraph: 'reading' },
  { method: 'get', path: '/downloads/:grant', subgraph: 'reading' },
  { method: 'get', path: '/reader/:reading/:volume/:page', subgraph: 'reading' },
  { method: 'get', path: '/volume-pages/:volume/:page', subgraph: 'reading' },
] as const;

const requestHeaders = [
  'content-type',
  'content-length',
  'range',
  'if-range',
  'x-request-id',
  'x-download-key',
];
const responseHeaders = [
  'content-type',
  'content-length',
  'content-range',
  'accept-ranges',
  'etag',
  'content-disposition',
  'cache-control',
  'last-modified',
  'x-content-type-options',
];

/**
 * The subgraph URL of a file request: the configured base's origin with the request's path and
 * query, and nothing else of what the client sent (an absolute-form target or a `//host` path
 * must never choose where the gateway connects, with a freshly signed token). Undefined when the
 * result would leave the base's origin, which this construction should make impossible.
 */
export function upstreamUrl(base: string, path: string, originalUrl: string): URL | undefined {
  const origin = new URL(base);
  const target = new URL(origin.origin);
  target.pathname = path;
  const query = originalUrl.indexOf('?');
  if (query >= 0) target.search = originalUrl.slice(query);
  return target.origin === origin.origin ? target : undefined;
}

export interface FileRouteOptions {
  baseUrlOf: (subgraph: string) => string;
  secret: string;
  authenticate: (req: Request) => Promise<GatewayContext>;
  /** How long to wait for the subgraph to answer (headers); bodies stream for as long as they take. */
  timeoutMs: number;
}

/**
 * Streams uploads to and downloads from the owning subgraph without buffering: the caller is
 * authenticated as for GraphQL, the subgraph receives a token minted for it with the caller's
 * identity, and Range / If-Range pass through so a broken download resumes.
 */
export function mountFileRoutes(app: Express, options: FileRouteOptions): void {
  for (const route of fileRoutes) {
    const handler: RequestHandler = async (req, res) => {
      let context: GatewayContext;
      try {
        context = await options.authenticate(req);
      } catch (err) {
        const e = err as {
          message: string;
          extensions?: { code?: string; http?: { status?: number } };
        };
        sendError(
          res,
          e.extensions?.http?.status ?? 401,
          e.extensions?.code ?? 'UNAUTHENTICATED',
          e.message,
        );
        return;
      }
      const target = upstreamUrl(options.baseUrlOf(route.subgraph), req.path, req.originalUrl);
      if (!target) {
        sendError(res, 400, 'BAD_REQUEST', '请求地址无效。');
        return;
      }
      const headers: http.OutgoingHttpHeaders = {
        [internalTokenHeader]: await mintInternalToken(
          options.secret,
          route.subgraph,
          context.identity,
        ),
      };
      for (const h of requestHeaders) if (req.headers[h]) headers[h] = req.headers[h];
      if (context.client?.ip) headers['x-forwarded-for'] = context.client.ip;
      if (context.client?.userAgent) headers['x-client-user-agent'] = context.client.userAgent;
      const span = upstreamSpan(route.subgraph, req.method, route.path, headers);
      const upstream = http.request(target, { method: req.method, headers });
      const timer = setTimeout(() => upstream.destroy(new Error('timeout')), options.timeoutMs);
      upstream.on('response', (answer) => {
        clearTimeout(timer);
        span.answered(answer.statusCode ?? 502);
        answer.once('close', () => span.end());
        res.status(answer.statusCode ?? 502);
        for (const h of responseHeaders)
          if (answer.headers[h] !== undefined) res.setHeader(h, answer.headers[h]!);
        answer.pipe(res);
        res.on('close', () => answer.destroy()); // the client left: stop reading the file
      });
      upstream.on('error', (err) => {
        clearTimeout(timer);
        span.end(err);
        if (!res.headersSent)
          sendError(res, 502, 'SUBGRAPH_UNAVAILABLE', '服务暂不可用，请稍后再试。');
        else res.destroy();
      });
      req.pipe(upstream);
    };
    app[route.method](route.path, handler);
  }
}

/**
 * CORS for the three clients (other origins than the gateway): allowed origins get their
 * Origin echoed, the headers the clients send, and the download headers exposed to scripts.
 */
export function cors(checkOrigin: (origin: string | undefined) => boolean): RequestHandler {
  return (req: Request, res: Response, next) => {
    const origin = req.header('origin');
    if (origin && checkOrigin(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader(
        'access-control-allow-headers',
        'authorization, content-type, x-request-id, range, if-range, apollo-require-preflight',
      );
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader(
        'access-control-expose-headers',
        'content-length, content-range, content-disposition, etag, accept-ranges',
      );
      res.setHeader('access-control-max-age', '600');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}
