// Per-application rate limits (issue 16 part 5, ADR 0012): every request made with an
// integrator's OAuth token, on HTTP, file routes and each WebSocket operation, takes one point
// of its application's `rateLimitPerMinute`. Over it: HTTP 429 with Retry-After (seconds) and a
// GraphQL error RATE_LIMITED (the shape of identity's per-IP limits: `rateLimit`,
// `retryAfterSeconds`). Counted in memory with rate-limiter-flexible, each gateway instance
// enforcing its share of the limit (GATEWAY_REPLICAS): no database write per request. The limit
// comes with the per-request token check, so a change in the console holds from the next request.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { counter } from '@yuejuan/platform';
import type { AppPolicy } from './oauth.ts';

export const appRateLimitedTotal = counter({
  name: 'yuejuan_gateway_app_rate_limited_total',
  help: 'Requests of integrators’ applications refused over their rate limit, by application and transport.',
  labelNames: ['client', 'transport'],
});

/** A refusal over an application's limit, as every transport answers it. */
export interface RateRefusal {
  status: 429;
  code: 'RATE_LIMITED';
  message: string;
  retryAfterSeconds: number;
  extensions: { rateLimit: 'application'; retryAfterSeconds: number };
}

export const rateRefusal = (retryAfterSeconds: number): RateRefusal => ({
  status: 429,
  code: 'RATE_LIMITED',
  message: `该应用的请求过于频繁，已超出每分钟请求上限，请 ${retryAfterSeconds} 秒后再试。`,
  retryAfterSeconds,
  extensions: { rateLimit: 'application', retryAfterSeconds },
});

/** This instance's share of a limit over `replicas` gateways (at least one request). */
export const instanceShare = (perMinute: number, replicas: number): number =>
  Math.max(1, Math.ceil(perMinute / Math.max(1, replicas)));

/**
 * The applications' limiters: one rate-limiter-flexible memory limiter per distinct share (an
 * application's key moves to another when its limit changes, starting a fresh window), keyed
 * by client id. `take` answers null when the request may go on.
 */
export function createAppLimits(options: { replicas: number; windowMs: number }) {
  const limiters = new Map<number, RateLimiterMemory>();
  const limiterFor = (points: number) => {
    let limiter = limiters.get(points);
    if (!limiter) {
      limiter = new RateLimiterMemory({ points, duration: options.windowMs / 1000 });
      limiters.set(points, limiter);
    }
    return limiter;
  };
  return {
    /** Takes one point of the application's limit; a refusal when none is left. */
    async take(app: AppPolicy, transport: 'http' | 'file' | 'ws'): Promise<RateRefusal | null> {
      const points = instanceShare(app.rateLimitPerMinute, options.replicas);
      try {
        await limiterFor(points).consume(app.clientId);
        return null;
      } catch (res) {
        if (!(res instanceof RateLimiterRes)) throw res;
        appRateLimitedTotal.inc({ client: appLabel(app.clientId), transport });
        return rateRefusal(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
      }
    },
  };
}
export type AppLimits = ReturnType<typeof createAppLimits>;

const labelled = new Set<string>();
/** Most applications with a label of their own; past it, `app:other` (bounded cardinality). */
export const maxAppLabels = 200;
/**
 * An application as a metrics `client` label: `app:<client id>`. Only a verified token's client id
 * (checked active with identity) reaches here, never a header; past maxAppLabels distinct
 * applications the rest share `app:other`.
 */
export function appLabel(clientId: string): string {
  if (labelled.has(clientId)) return `app:${clientId}`;
  if (labelled.size >= maxAppLabels || !/^[A-Za-z0-9_-]{1,64}$/.test(clientId)) return 'app:other';
  labelled.add(clientId);
  return `app:${clientId}`;
}
