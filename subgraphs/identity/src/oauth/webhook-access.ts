import express, { type Express, type Request, type Response } from 'express';
import { apiResource, internalTokenHeader, verifyInternalToken } from '@yuejuan/runtime';
import type { ApplicationDoc } from '../models/index.ts';
import type { ApplicationService } from '../services/application.service.ts';
import type { OAuthDoc, OAuthStore } from './adapter.ts';

/** One question from notifications: may this application read this object with this scope now? */
interface AccessCheck {
  clientId: string;
  scope: string;
  lawyerId?: string | null;
  procuratorateId?: string | null;
}

const plain = (v: unknown, max = 100): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * What webhooks may deliver, decided where applications and grants live (ADR 0011). For the
 * notifications subgraph only (a SERVICE token minted for identity):
 * - `POST /internal/webhooks/applications` {ids ≤ 100} → {applications: [{id, name, kind,
 *   scopes, procuratorateId, status}]}: what an endpoint may subscribe to;
 * - `POST /internal/webhooks/access` {checks ≤ 200} → {allowed: boolean[]}: true only for an
 *   active application holding the scope and, for a law-firm application, a live grant of that
 *   lawyer's to it that includes the scope; for a procuratorate system, its own procuratorate.
 */
export function mountWebhookAccessRoutes(
  app: Express,
  deps: {
    secret: string;
    applications: ApplicationService;
    store: OAuthStore;
    now: () => Date;
  },
) {
  const serviceOnly = async (req: Request, res: Response): Promise<boolean> => {
    try {
      const caller = await verifyInternalToken(
        deps.secret,
        'identity',
        req.header(internalTokenHeader),
      );
      if (caller.role === 'SERVICE' && caller.service === 'notifications') return true;
      res.status(403).json({ error: 'FORBIDDEN' });
    } catch {
      res.status(401).json({ error: 'UNAUTHENTICATED' });
    }
    return false;
  };

  const grantScopes = (doc: OAuthDoc): string[] => {
    const payload = JSON.parse(doc.payload) as { resources?: Record<string, string> };
    return (payload.resources?.[apiResource] ?? '').split(' ').filter(Boolean);
  };

  app.post('/internal/webhooks/applications', express.json({ limit: '16kb' }), async (req, res) => {
    if (!(await serviceOnly(req, res))) return;
    const ids: unknown = req.body?.ids;
    if (!Array.isArray(ids) || ids.length > 100 || !ids.every((id) => plain(id))) {
      res.status(400).json({ code: 'BAD_USER_INPUT', message: 'ids 应为至多100个字符串。' });
      return;
    }
    const found = await Promise.all([...new Set(ids)].map((id) => deps.applications.find(id)));
    res.json({
      applications: found
        .filter((a): a is ApplicationDoc => !!a)
        .map((a) => ({
          id: a._id,
          name: a.name,
          kind: a.kind,
          scopes: a.scopes,
          procuratorateId: a.procuratorateId ?? null,
          status: a.status,
        })),
    });
  });

  app.post('/internal/webhooks/access', express.json({ limit: '64kb' }), async (req, res) => {
    if (!(await serviceOnly(req, res))) return;
    const checks: unknown = req.body?.checks;
    const valid = (c: unknown): c is AccessCheck => {
      const x = c as Record<string, unknown>;
      return (
        !!x &&
        plain(x.clientId) &&
        plain(x.scope, 40) &&
        (x.lawyerId == null || plain(x.lawyerId)) &&
        (x.procuratorateId == null || plain(x.procuratorateId))
      );
    };
    if (!Array.isArray(checks) || checks.length > 200 || !checks.every(valid)) {
      res.status(400).json({ code: 'BAD_USER_INPUT', message: 'checks 无效。' });
      return;
    }
    const at = deps.now();
    const apps = new Map<string, Promise<ApplicationDoc | null>>();
    const grants = new Map<string, Promise<OAuthDoc[]>>();
    const allowed = await Promise.all(
      checks.map(async (c) => {
        if (!apps.has(c.clientId)) apps.set(c.clientId, deps.applications.find(c.clientId));
        const application = await apps.get(c.clientId)!;
        if (!application || application.status !== 'ACTIVE') return false;
        if (!application.scopes.includes(c.scope)) return false;
        if (application.kind === 'PROCURATORATE_SYSTEM')
          return !!c.procuratorateId && c.procuratorateId === application.procuratorateId;
        if (!c.lawyerId) return false;
        const key = `${c.clientId}\n${c.lawyerId}`;
        if (!grants.has(key))
          grants.set(
            key,
            deps.store
              .collection('Grant')
              .find({ accountId: c.lawyerId, clientId: c.clientId })
              .toArray(),
          );
        return (await grants.get(key)!).some(
          (g) =>
            (!g.expiresAt || g.expiresAt > at) &&
            g.accountId === c.lawyerId &&
            g.clientId === c.clientId &&
            grantScopes(g).includes(c.scope),
        );
      }),
    );
    res.json({ allowed });
  });
}
