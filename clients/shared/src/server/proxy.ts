// Server side of each app: forwards `/graphql`, `/uploads/*`, `/downloads/*` and `/reader/*` to the gateway,
// so the browser talks only to its own origin over HTTP (the gateway sends no CORS headers).
// Streams both ways; never reads, logs or keeps a body or a token.

/** Paths of the app that belong to the gateway. */
export const gatewayPaths = ['/graphql', '/uploads/', '/downloads/', '/reader/', '/volume-pages/'];

/** Whether a request path is forwarded to the gateway. */
export const isGatewayPath = (pathname: string): boolean =>
  gatewayPaths.some((p) => (p.endsWith('/') ? pathname.startsWith(p) : pathname === p));

const forwardedRequestHeaders = [
  'authorization',
  'content-type',
  'content-length',
  'accept',
  'range',
  'if-range',
  'user-agent',
  'x-request-id',
  'x-file-name',
  'apollo-require-preflight',
  'apollographql-client-name',
];
const forwardedResponseHeaders = [
  'content-type',
  'content-length',
  'content-disposition',
  'content-range',
  'accept-ranges',
  'etag',
  'cache-control',
  'retry-after',
  'x-content-type-options',
];

/** The cookie the portal sets for one browser-managed download (transfer.ts startBrowserDownload). */
const downloadCookie = 'yj_download';

/**
 * The download key of a package download started as a browser navigation: only for GET/HEAD
 * of `/downloads/<grant>` (not attachments, not other paths), read from the cookie the page
 * scoped to that path. It opens that one download only; cookies are otherwise never forwarded.
 */
export function downloadKey(request: Request, pathname: string): string | null {
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  if (!/^\/downloads\/[^/]+$/.test(pathname) || pathname.startsWith('/downloads/attachments'))
    return null;
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== downloadCookie) continue;
    try {
      const token = decodeURIComponent(value.join('='));
      return /^[\x21-\x7e]{1,2048}$/.test(token) ? token : null;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Forwards one request to `gatewayOrigin` (e.g. http://127.0.0.1:4000) and answers with the
 * gateway's response. The browser's address goes in X-Forwarded-For, with the proxy secret
 * (YUEJUAN_PROXY_SECRET) in `x-yuejuan-proxy`: the gateway believes the address only from a
 * listed proxy that presents the secret, so the verifier shows the lawyer's IP, not this
 * server's, and a browser talking to the gateway directly cannot choose its own.
 */
export async function proxyToGateway(
  request: Request,
  clientAddress: string,
  gatewayOrigin: string,
  options: { proxySecret?: string; fetch?: typeof fetch } = {},
): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  const source = new URL(request.url);
  const target = new URL(source.pathname + source.search, gatewayOrigin);
  const headers = new Headers();
  for (const name of forwardedRequestHeaders) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const key = downloadKey(request, source.pathname);
  if (key) headers.set('x-download-key', key);
  // What the browser claims of earlier hops is dropped: this server is the first proxy.
  headers.set('x-forwarded-for', clientAddress);
  if (options.proxySecret) headers.set('x-yuejuan-proxy', options.proxySecret);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await doFetch(target, {
      method: request.method,
      headers,
      body: hasBody ? request.body : undefined,
      redirect: 'manual',
      ...(hasBody ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch {
    return Response.json(
      {
        errors: [
          { message: '服务暂不可用，请稍后再试。', extensions: { code: 'SERVICE_UNAVAILABLE' } },
        ],
      },
      { status: 502 },
    );
  }
  const out = new Headers();
  for (const name of forwardedResponseHeaders) {
    const value = upstream.headers.get(name);
    if (value !== null) out.set(name, value);
  }
  // fetch has already decoded a compressed body: its length and encoding no longer apply.
  if (upstream.headers.get('content-encoding')) out.delete('content-length');
  return new Response(upstream.body, { status: upstream.status, headers: out });
}

/** The gateway's WebSocket URL for the browser: GATEWAY_WS_URL, else GATEWAY_URL with ws(s). */
export function gatewayWsUrl(env: Record<string, string | undefined>): string {
  if (env.GATEWAY_WS_URL) return env.GATEWAY_WS_URL;
  const http = new URL(env.GATEWAY_URL ?? 'http://127.0.0.1:4000');
  http.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
  http.pathname = '/graphql';
  return http.toString();
}

/** The gateway's origin for forwarding: GATEWAY_URL (default http://127.0.0.1:4000). */
export const gatewayOrigin = (env: Record<string, string | undefined>): string =>
  new URL(env.GATEWAY_URL ?? 'http://127.0.0.1:4000').origin;
