// A local fake of identity's webhook routes (`/internal/webhooks/applications`, `/access`),
// answering from tables the test changes: applications, and lawyers' grants as
// `${clientId}:${lawyerId}` → scopes. Identity's own route is tested against real grants in
// gateway/test/webhooks.test.ts; here it stands in so the sender can be tested alone.
import { internalTokenHeader, verifyInternalToken } from '@yuejuan/runtime';
import { startFake } from '@yuejuan/testing/simulators';
import type { AccessCheck, WebhookApplication } from '../../src/services/webhook-access.service.ts';

export async function startFakeWebhookIdentity(secret: string) {
  const applications = new Map<string, WebhookApplication>();
  const grants = new Map<string, string[]>();
  const calls: { path: string; body: unknown }[] = [];
  let down = false;
  const server = await startFake(async (req) => {
    if (down) return { status: 503, json: { error: 'down' } };
    try {
      const caller = await verifyInternalToken(
        secret,
        'identity',
        req.headers[internalTokenHeader] as string | undefined,
      );
      if (caller.role !== 'SERVICE') return { status: 403, json: { error: 'FORBIDDEN' } };
    } catch {
      return { status: 401, json: { error: 'UNAUTHENTICATED' } };
    }
    const body = JSON.parse(req.body || '{}') as { ids?: string[]; checks?: AccessCheck[] };
    calls.push({ path: req.url.pathname, body });
    if (req.url.pathname === '/internal/webhooks/applications')
      return {
        json: {
          applications: (body.ids ?? []).flatMap((id) => {
            const a = applications.get(id);
            return a ? [a] : [];
          }),
        },
      };
    if (req.url.pathname === '/internal/webhooks/access')
      return {
        json: {
          allowed: (body.checks ?? []).map((c) => {
            const app = applications.get(c.clientId);
            if (!app || app.status !== 'ACTIVE' || !app.scopes.includes(c.scope)) return false;
            if (app.kind === 'PROCURATORATE_SYSTEM')
              return !!c.procuratorateId && c.procuratorateId === app.procuratorateId;
            return (grants.get(`${c.clientId}:${c.lawyerId}`) ?? []).includes(c.scope);
          }),
        },
      };
    return { status: 404, json: { error: 'Cannot POST' } };
  });
  return {
    url: server.url,
    applications,
    grants,
    calls,
    setDown(value: boolean) {
      down = value;
    },
    close: server.close,
  };
}
export type FakeWebhookIdentity = Awaited<ReturnType<typeof startFakeWebhookIdentity>>;
