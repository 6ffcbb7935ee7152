// The WebSocket side of the edge limits, as plain values and functions: the subscription
// server (src/subscriptions/) applies them; this file decides them from the configuration.
import type { GatewayConfig } from './config.ts';

/** What the subscription server enforces on every socket. */
export interface SubscriptionLimits {
  /** Largest WebSocket message accepted; `ws` would take 100 MiB by default. */
  maxPayloadBytes: number;
  /** A socket that has not sent `connection_init` by then is closed (graphql-ws 4408). */
  connectionInitTimeoutMs: number;
  /** Subscriptions one socket may hold at once. */
  maxSubscriptionsPerSocket: number;
  /** How often a socket's session is resolved again; a revoked one is closed within this. */
  sessionRecheckMs: number;
  /** Whether a WebSocket upgrade with this Origin header may proceed. */
  checkOrigin: (origin: string | undefined) => boolean;
}

/** Revoked sessions must lose their subscriptions within a minute (issue 8). */
export const maxSessionRecheckMs = 60_000;

/** Loopback origins a developer's browser uses (any port): allowed outside production only. */
const loopback = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/;

/** `scheme://host[:port]` of a configured origin, normalised as browsers send it; null if unusable. */
export function normaliseOrigin(value: string): string | null {
  try {
    const url = new URL(value.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (url.pathname !== '/' || url.search || url.hash || url.username) return null;
    return url.origin;
  } catch {
    return null;
  }
}

/**
 * Parses YUEJUAN_ALLOWED_ORIGINS (comma-separated origins). Throws naming the entry that is
 * not a bare http(s) origin, so a typo stops startup instead of silently refusing browsers.
 */
export function parseAllowedOrigins(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const origin = normaliseOrigin(entry);
      if (!origin)
        throw new Error(
          `YUEJUAN_ALLOWED_ORIGINS: "${entry}" is not an origin like https://host[:port]`,
        );
      return origin;
    });
}

/**
 * The Origin check of WebSocket upgrades (cross-site WebSocket hijacking): a browser always
 * sends Origin, so a listed origin passes, loopback ones too outside production, and anything
 * else (including the opaque "null" origin of sandboxed pages and files) is refused. A
 * missing Origin is a non-browser client (the verifier app, a server), which no hijacking
 * page can impersonate: it passes, and still needs a session token like everyone else.
 */
export function createOriginCheck(
  allowed: readonly string[],
  options: { allowLoopback: boolean },
): (origin: string | undefined) => boolean {
  const set = new Set(allowed);
  return (origin) => {
    if (origin === undefined || origin === '') return true;
    const normalised = normaliseOrigin(origin);
    if (!normalised || normalised !== origin.toLowerCase().replace(/\/$/, '')) return false;
    return set.has(normalised) || (options.allowLoopback && loopback.test(normalised));
  };
}

/** The subscription server's limits from the gateway configuration. */
export function subscriptionLimits(config: GatewayConfig): SubscriptionLimits {
  return {
    maxPayloadBytes: config.WS_MAX_PAYLOAD_BYTES,
    connectionInitTimeoutMs: config.WS_CONNECTION_INIT_TIMEOUT_MS,
    maxSubscriptionsPerSocket: config.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
    sessionRecheckMs: Math.min(config.WS_SESSION_RECHECK_MS, maxSessionRecheckMs),
    checkOrigin: createOriginCheck(parseAllowedOrigins(config.YUEJUAN_ALLOWED_ORIGINS), {
      allowLoopback: config.NODE_ENV !== 'production',
    }),
  };
}
