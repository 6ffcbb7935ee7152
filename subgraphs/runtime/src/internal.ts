import {
  AppError,
  inSpan,
  injectTraceHeaders,
  internalTokenHeader,
  mintInternalToken,
  SpanKind,
} from '@yuejuan/platform';

export interface InternalCallOptions {
  /** Base URL of the target service, e.g. http://127.0.0.1:4004 */
  baseUrl: string;
  /** Target subgraph name (the token's audience). */
  audience: string;
  /** The calling subgraph's name. */
  service: string;
  secret: string;
  timeoutMs?: number;
}

/**
 * Calls an internal route of another subgraph (never exposed through the gateway): a POST with
 * a token minted for that subgraph carrying a SERVICE identity. Answers the parsed JSON body
 * and status; a network failure becomes SERVICE_UNAVAILABLE naming the target.
 */
export async function callInternal<T>(
  options: InternalCallOptions,
  path: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const url = new URL(path, options.baseUrl);
  // A client span of its own, so the callee's server span hangs under the call that made it.
  return inSpan(
    `POST ${url.pathname}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'POST',
        'url.path': url.pathname,
        'server.address': url.hostname,
        'server.port': Number(url.port) || 80,
        'peer.service': options.audience,
      },
    },
    async (span) => {
      const token = await mintInternalToken(options.secret, options.audience, {
        role: 'SERVICE',
        service: options.service,
      });
      const res = await fetch(url, {
        method: 'POST',
        headers: injectTraceHeaders({
          'content-type': 'application/json',
          [internalTokenHeader]: token,
        }),
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      }).catch(() => null);
      if (!res)
        throw new AppError('SERVICE_UNAVAILABLE', '服务暂不可用，请稍后再试。', {
          serviceName: options.audience,
        });
      span?.setAttribute('http.response.status_code', res.status);
      return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
    },
  );
}
