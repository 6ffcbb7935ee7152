// The HTTP edge in front of Apollo: only JSON is posted (a browser cannot send it cross-site
// without a preflight, so no form or text/plain request reaches an operation), bodies over
// the limit are refused with 413 from their Content-Length before a byte is parsed, and every
// refusal or failure is a GraphQL-style JSON answer, never Express's HTML page with a stack.
import express, {
  type ErrorRequestHandler,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Logger } from '@yuejuan/platform';

/** Largest request body accepted at /graphql (issue 8: 64 KB). */
export const maxBodyBytes = 64 * 1024;

/** One error in the shape GraphQL clients read. */
export const sendError = (res: Response, status: number, code: string, message: string) => {
  if (res.headersSent) return;
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
};

/** POSTs to /graphql must be JSON; anything else is refused before it is read (415). */
export const requireJson: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST' || req.is('application/json')) return next();
  sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', '请以 application/json 提交 GraphQL 请求。');
};

/** express.json at the body limit, strict (objects and arrays only). */
export const jsonBody = (): RequestHandler => express.json({ limit: maxBodyBytes, strict: true });

/**
 * Apollo's Express integration answers 500 when `req.body` was never set (a GET, or a POST
 * whose body was empty): give it an empty body so Apollo's own checks (CSRF preflight for
 * GET, "missing query") answer with their 400s.
 */
export const ensureBody: RequestHandler = (req, _res, next) => {
  if (req.body === undefined) req.body = {};
  next();
};

/** body-parser's error types and the answers they get. */
const bodyErrors: Record<string, [number, string, string]> = {
  'entity.too.large': [413, 'PAYLOAD_TOO_LARGE', '请求内容过大，已拒绝。'],
  'entity.parse.failed': [400, 'BAD_REQUEST', '请求体不是有效的 JSON。'],
  'entity.verify.failed': [400, 'BAD_REQUEST', '请求体无效。'],
  'request.aborted': [400, 'BAD_REQUEST', '请求未完整到达。'],
  'request.size.invalid': [400, 'BAD_REQUEST', '请求长度与内容不符。'],
  'encoding.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE', '不支持的内容编码。'],
  'charset.unsupported': [415, 'UNSUPPORTED_MEDIA_TYPE', '不支持的字符集。'],
  'stream.encoding.set': [500, 'INTERNAL_SERVER_ERROR', '系统繁忙，请稍后再试。'],
};

/**
 * Whether an HTTP request target is in origin-form (RFC 9112 §3.2.1: an absolute path and a
 * query), the only form a client of this gateway sends. Absolute-form (`GET http://host/…`),
 * authority-form (CONNECT) and asterisk-form (`OPTIONS *`) targets, and paths that a URL parser
 * reads as a host (`//host/…`, `/\host`), are refused before any route sees them.
 */
export const isOriginForm = (target: string | undefined): boolean =>
  !!target &&
  target.startsWith('/') &&
  !target.startsWith('//') &&
  !target.startsWith('/\\') &&
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  !/[\s\x00-\x1f\x7f]/.test(target);

/** Answers a request whose target is not origin-form: 400, JSON, connection closed. */
export function refuseTarget(res: import('node:http').ServerResponse): void {
  res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(
    JSON.stringify({
      errors: [{ message: '请求地址无效。', extensions: { code: 'BAD_REQUEST' } }],
    }),
  );
}

/** Unknown routes: a JSON 404. */
export const notFound: RequestHandler = (_req, res) =>
  sendError(res, 404, 'NOT_FOUND', '未找到请求的地址。');

/**
 * The last handler: body-parser refusals become their 4xx in JSON; anything unexpected is
 * logged with its stack and answered with a plain 500 that says nothing of it.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string } | null)?.type;
    const status = (err as { status?: number; expose?: boolean } | null)?.status;
    // body-parser marks the client's mistakes it has no type for (a body that is not what its
    // content-encoding says) with a 4xx status and `expose`.
    const exposed =
      (err as { expose?: boolean } | null)?.expose === true &&
      typeof status === 'number' &&
      status >= 400 &&
      status < 500;
    const known =
      type && bodyErrors[type]
        ? bodyErrors[type]
        : exposed
          ? ([
              status === 415 ? 415 : 400,
              status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST',
              '请求体无法解码，请检查 Content-Encoding。',
            ] as [number, string, string])
          : undefined;
    if (known && known[0] < 500) {
      logger.info(
        { type, path: req.path, length: req.header('content-length') },
        'request refused at the edge',
      );
      // Closing the connection stops a client that keeps sending an oversized body.
      if (known[0] === 413) res.set('connection', 'close');
      return sendError(res, ...known);
    }
    logger.error({ err, path: req.path }, 'unexpected error in the HTTP pipeline');
    sendError(res, 500, 'INTERNAL_SERVER_ERROR', '系统繁忙，请稍后再试。');
  };
}
