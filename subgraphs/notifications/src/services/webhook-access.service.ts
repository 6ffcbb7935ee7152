import { AppError, callInternal } from '@yuejuan/runtime';

/** An application as identity describes it to notifications (never its secrets). */
export interface WebhookApplication {
  id: string;
  name: string;
  kind: 'LAW_FIRM' | 'PROCURATORATE_SYSTEM';
  scopes: string[];
  procuratorateId: string | null;
  status: 'ACTIVE' | 'SUSPENDED';
}

/** One question to identity: may this application read this lawyer's (or procuratorate's) object with this scope now? */
export interface AccessCheck {
  clientId: string;
  scope: string;
  lawyerId?: string | null;
  procuratorateId?: string | null;
}

/**
 * Identity's answers about applications, over its internal routes (a SERVICE token for
 * identity). The application and the lawyers' grants are identity's: notifications never reads
 * them, it asks, once per event (one request for every endpoint the event may go to) and again
 * before a retry or a replay, so a revoked grant or a suspended application stops deliveries.
 * - `POST /internal/webhooks/applications` {ids} → {applications};
 * - `POST /internal/webhooks/access` {checks} → {allowed: boolean[]} in the same order.
 */
export function createWebhookAccess(options: {
  baseUrl: string;
  secret: string;
  timeoutMs?: number;
}) {
  const target = {
    baseUrl: options.baseUrl,
    audience: 'identity',
    service: 'notifications',
    secret: options.secret,
    timeoutMs: options.timeoutMs ?? 3000,
  };
  const unavailable = (status: number) =>
    new AppError('SERVICE_UNAVAILABLE', '身份服务暂不可用，请稍后再试。', {
      serviceName: 'identity',
      status,
    });
  return {
    async applications(ids: string[]): Promise<Map<string, WebhookApplication>> {
      if (ids.length === 0) return new Map();
      const res = await callInternal<{ applications?: WebhookApplication[] }>(
        target,
        '/internal/webhooks/applications',
        { ids },
      );
      if (res.status !== 200 || !Array.isArray(res.body.applications))
        throw unavailable(res.status);
      return new Map(res.body.applications.map((a) => [a.id, a]));
    },
    async check(checks: AccessCheck[]): Promise<boolean[]> {
      if (checks.length === 0) return [];
      const res = await callInternal<{ allowed?: boolean[] }>(target, '/internal/webhooks/access', {
        checks,
      });
      const allowed = res.body.allowed;
      if (res.status !== 200 || !Array.isArray(allowed) || allowed.length !== checks.length)
        throw unavailable(res.status);
      return allowed.map((a) => a === true);
    },
  };
}
export type WebhookAccess = ReturnType<typeof createWebhookAccess>;
