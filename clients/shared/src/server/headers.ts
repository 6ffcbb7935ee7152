// Security headers of every page the apps serve: the CSP SvelteKit built (kit.csp, with the
// hashes of its inline script) gets the gateway's WebSocket origin in connect-src, and the
// headers browsers honour only as headers are added.

/** Headers every page carries besides the CSP. */
const fixedHeaders: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'permissions-policy': 'camera=(self), microphone=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Adds the page security headers to `response` and the origin of `wsUrl` (the gateway's
 * WebSocket, configured per deployment) to the CSP's connect-src.
 */
export function withSecurityHeaders(response: Response, wsUrl: string): Response {
  for (const [name, value] of Object.entries(fixedHeaders))
    if (!response.headers.has(name)) response.headers.set(name, value);
  const csp = response.headers.get('content-security-policy');
  if (csp) {
    const origin = new URL(wsUrl).origin;
    response.headers.set(
      'content-security-policy',
      csp.replace(/connect-src ([^;]*)/, (_m, list: string) => `connect-src ${list} ${origin}`),
    );
  }
  return response;
}
