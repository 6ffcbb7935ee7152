import type { Handle } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import {
  gatewayOrigin,
  gatewayWsUrl,
  isGatewayPath,
  proxyToGateway,
  withSecurityHeaders,
} from '@yuejuan/client-shared/server';

// The gateway's paths are forwarded to it (same origin for the browser); every page gets the
// gateway's WebSocket URL for live statuses.
export const handle: Handle = async ({ event, resolve }) => {
  if (isGatewayPath(event.url.pathname))
    return proxyToGateway(event.request, event.getClientAddress(), gatewayOrigin(env), {
      proxySecret: env.YUEJUAN_PROXY_SECRET,
    });
  const ws = gatewayWsUrl(env);
  return withSecurityHeaders(
    await resolve(event, { transformPageChunk: ({ html }) => html.replace('%yuejuan.ws%', ws) }),
    ws,
  );
};
