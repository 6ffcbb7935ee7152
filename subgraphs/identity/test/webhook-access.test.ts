// identity's webhook routes for notifications (ADR 0011): which applications may receive which
// events, decided from the applications and the lawyers' live grants (oidc-provider's Grant
// documents), and refused to anyone but the notifications service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiResource, callInternal } from '@yuejuan/runtime';
import { adminIdentity } from '@yuejuan/runtime/testing';
import { startIdentity, type Harness } from './harness.ts';

let h: Harness;
let lawFirm: string;
let system: string;
let suspended: string;
const admin = adminIdentity('admin-webhook-access');
const client = { ip: '127.0.0.1', userAgent: 'vitest' };

const post = (path: string, body: unknown, service = 'notifications') =>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON answer freely
  callInternal<any>(
    {
      baseUrl: h.url.replace(/\/graphql$/, ''),
      audience: 'identity',
      service,
      secret: h.secrets.internal,
    },
    path,
    body,
  );

const base = {
  organisation: '测试单位',
  rateLimitPerMinute: 600,
  contactName: '联系人',
  contactPhone: '021-12345678',
};

beforeAll(async () => {
  h = await startIdentity('webhook_access');
  const apps = h.services.applications;
  lawFirm = (
    await apps.register(
      admin,
      {
        ...base,
        name: '律所系统',
        kind: 'LAW_FIRM',
        redirectUris: ['https://firm.example.cn/cb'],
        scopes: ['bindings:read', 'applications:read'],
      },
      client,
    )
  ).application._id;
  system = (
    await apps.register(
      admin,
      {
        ...base,
        name: '检察系统',
        kind: 'PROCURATORATE_SYSTEM',
        procuratorateId: 'SH-310000',
        scopes: ['cases:read'],
      },
      client,
    )
  ).application._id;
  suspended = (
    await apps.register(
      admin,
      {
        ...base,
        name: '停用系统',
        kind: 'PROCURATORATE_SYSTEM',
        procuratorateId: 'SH-310000',
        scopes: ['cases:read'],
      },
      client,
    )
  ).application._id;
  await apps.setSuspended(admin, suspended, true, '测试', client);
});
afterAll(async () => {
  await h?.stop();
});

/** A lawyer's grant to the law-firm app, as the consent confirmation saves it. */
async function grant(lawyerId: string, scopes: string): Promise<string> {
  const provider = h.server.oauth.provider();
  const g = new provider.Grant({ accountId: lawyerId, clientId: lawFirm });
  g.addResourceScope(apiResource, scopes);
  return g.save();
}

describe('/internal/webhooks/access', () => {
  it('allows a law-firm app only for a lawyer whose live grant includes the scope', async () => {
    const grantId = await grant('lawyer-1', 'bindings:read');
    const checks = [
      { clientId: lawFirm, scope: 'bindings:read', lawyerId: 'lawyer-1' },
      { clientId: lawFirm, scope: 'applications:read', lawyerId: 'lawyer-1' },
      { clientId: lawFirm, scope: 'bindings:read', lawyerId: 'lawyer-2' },
      { clientId: lawFirm, scope: 'bindings:read' },
      { clientId: system, scope: 'cases:read', procuratorateId: 'SH-310000' },
      { clientId: system, scope: 'cases:read', procuratorateId: 'AH-340000' },
      { clientId: system, scope: 'bindings:read', procuratorateId: 'SH-310000' },
      { clientId: suspended, scope: 'cases:read', procuratorateId: 'SH-310000' },
      { clientId: 'yj_unknown', scope: 'cases:read', procuratorateId: 'SH-310000' },
    ];
    const before = await post('/internal/webhooks/access', { checks });
    expect(before.status).toBe(200);
    expect(before.body.allowed).toEqual([
      true,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);

    await h.server.oauth.store.revokeGrant(grantId, true);
    const after = await post('/internal/webhooks/access', { checks: checks.slice(0, 1) });
    expect(after.body.allowed).toEqual([false]);
  });

  it('describes applications without their secrets', async () => {
    const r = await post('/internal/webhooks/applications', { ids: [system, 'yj_unknown'] });
    expect(r.body).toEqual({
      applications: [
        {
          id: system,
          name: '检察系统',
          kind: 'PROCURATORATE_SYSTEM',
          scopes: ['cases:read'],
          procuratorateId: 'SH-310000',
          status: 'ACTIVE',
        },
      ],
    });
  });

  it('answers only the notifications service', async () => {
    expect((await post('/internal/webhooks/access', { checks: [] }, 'reading')).status).toBe(403);
    const res = await fetch(`${h.url.replace(/\/graphql$/, '')}/internal/webhooks/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [system] }),
    });
    expect(res.status).toBe(401);
    expect((await post('/internal/webhooks/access', { checks: [{ clientId: 5 }] })).status).toBe(
      400,
    );
  });
});
