import type { Request, Response } from 'express';
import {
  appOf,
  internalTokenHeader,
  requireScopes,
  verifyInternalToken,
  type Identity,
} from '@yuejuan/platform';
import { AppError } from '@yuejuan/platform';
import type { ByteRange } from './types.ts';

/** HTTP status of each error code an upload or download route answers. */
const statusOf: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  STEP_UP_REQUIRED: 403,
  PACKAGE_LOCKED: 423,
  PACKAGE_EXPIRED: 410,
  PACKAGE_REVOKED: 410,
  READING_EXPIRED: 410,
  PACKAGE_NOT_READY: 409,
  RATE_LIMITED: 429,
  INSUFFICIENT_SCOPE: 403,
  SERVICE_UNAVAILABLE: 503,
  CASE_NOT_BOUND: 403,
};

/**
 * The caller of a blob route, from the token the gateway mints for this subgraph (the same
 * `x-internal-token` as for /graphql, carrying the caller's identity). Throws UNAUTHENTICATED.
 * An application (OAuth token) is refused (INSUFFICIENT_SCOPE) unless the route names the
 * scopes it accepts, as `@requiresScopes` does for fields.
 */
export async function routeIdentity(
  req: Request,
  secret: string,
  audience: string,
  scopes?: readonly (readonly string[])[],
): Promise<Identity> {
  const identity = await verifyInternalToken(secret, audience, req.header(internalTokenHeader));
  if (appOf(identity)) requireScopes(identity, scopes ?? []);
  return identity;
}

/** Answers a route's error as JSON `{code, message}` with its HTTP status; unknown errors are logged and hidden. */
export function sendRouteError(res: Response, err: unknown, log: (err: unknown) => void): void {
  const code = err instanceof AppError ? String(err.extensions.code) : 'INTERNAL_SERVER_ERROR';
  if (!(err instanceof AppError)) log(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = err instanceof AppError ? err.message : '系统繁忙，请稍后再试。';
  const { code: _c, ...details } = err instanceof AppError ? err.extensions : {};
  // A coded refusal without a status of its own is still the client's problem (400), never a 500.
  res
    .status(statusOf[code] ?? (err instanceof AppError ? 400 : 500))
    .json({ code, message, ...details });
}

/**
 * Parses one `Range: bytes=a-b` (or `a-`, or suffix `-n`) against `size`. Returns null for no
 * or an unsupported header (multi-range: the whole file is sent, as RFC 9110 allows), or
 * 'unsatisfiable' for a range outside the file.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return null;
  if (!m[1]) {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * `Content-Disposition: attachment` keeping a Chinese file name (RFC 6266 with the RFC 5987
 * `filename*` form), plus an ASCII fallback for old clients.
 */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The caller's address: the first `x-forwarded-for` hop (set by the gateway), else the socket. */
export function clientIp(req: Request): string {
  const forwarded = req.header('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded || req.socket.remoteAddress || 'unknown';
}
