import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Collection } from 'mongodb';
import type Provider from 'oidc-provider';
import {
  AppError,
  apiResource,
  claimOnce,
  requireRole,
  requireStepUp,
  scopeByName,
  type Identity,
  type ScopeDefinition,
  type StepUpClaim,
} from '@yuejuan/runtime';
import type { ApplicationDoc } from '../models/index.ts';
import type { ApplicationService } from '../services/application.service.ts';
import type { AuditService } from '../services/audit.service.ts';
import type { ClientInfo } from '../services/client.ts';
import type { OAuthDoc, OAuthStore } from './adapter.ts';
import { gatewayPolicy, type GatewayPolicy } from '../services/application-operations.service.ts';

/** A lawyer's decision on a consent page, waiting for the browser that started the request. */
export interface ApprovalDoc {
  _id: string;
  uid: string;
  lawyerId: string;
  clientId: string;
  approve: boolean;
  scopes: string[];
  oidcScopes: string[];
  expiresAt: Date;
}

/** What the consent page shows: the application and each scope it asks for. */
export interface ConsentRequest {
  uid: string;
  application: ApplicationDoc;
  scopes: ScopeDefinition[];
  /** The application also asks who the lawyer is (OpenID Connect `openid`). */
  identity: boolean;
  redirectOrigin: string;
  needsVerification: boolean;
  expiresAt: Date;
}

/** One of a lawyer's authorisations (授权管理). */
export interface Authorization {
  id: string;
  application: ApplicationDoc;
  scopes: ScopeDefinition[];
  grantedAt: Date;
  expiresAt: Date | null;
}

/** What the gateway learns about a live token's application and grant. */
export type TokenStatus =
  | { active: false }
  | ({ active: true; scopes: string[]; procuratorateId?: string } & GatewayPolicy);

const approvalSeconds = 120;
const oidcScopes = new Set(['openid', 'offline_access']);
const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

const expired = () =>
  new AppError('OAUTH_REQUEST_EXPIRED', '授权请求已失效，请回到应用重新发起授权。');

/**
 * Lawyers' authorisations of applications: the consent page's request and decision, the
 * confirmation in the browser that started the request, the list and revocation of 授权管理,
 * and the gateway's per-request check of a token's grant and application.
 *
 * The decision is taken on the portal (the lawyer's session, a step-up for scopes that read
 * personal or case data) but finished only at `/oauth/interaction/{uid}/confirm` in the browser
 * holding the interaction's cookie, with a single-use approval made for that lawyer: a consent
 * link sent to another lawyer cannot log its sender in as them.
 */
export function createAuthorizationService(deps: {
  provider: () => Provider;
  store: OAuthStore;
  applications: ApplicationService;
  audit: AuditService;
  stepUps: Collection<StepUpClaim>;
  claims: Collection<{ _id: string; at: Date; expiresAt: Date }>;
  approvals: Collection<ApprovalDoc>;
  issuer: string;
  now: () => Date;
}) {
  const scopeList = (names: string[]) =>
    names.map((n) => scopeByName.get(n)).filter((s): s is ScopeDefinition => !!s);
  const grantScopes = (doc: OAuthDoc): string[] => {
    const payload = JSON.parse(doc.payload) as { resources?: Record<string, string> };
    return (payload.resources?.[apiResource] ?? '').split(' ').filter(Boolean);
  };
  const live = (doc: OAuthDoc | null): doc is OAuthDoc =>
    !!doc && (!doc.expiresAt || doc.expiresAt > deps.now());

  async function request(identity: Identity, uid: string): Promise<ConsentRequest> {
    requireRole(identity, 'LAWYER');
    if (!/^[A-Za-z0-9_-]{10,64}$/.test(uid)) throw expired();
    const interaction = await deps.provider().Interaction.find(uid);
    if (!interaction) throw expired();
    const params = interaction.params as Record<string, string | undefined>;
    const app = await deps.applications.find(params.client_id ?? '');
    if (!app || app.status !== 'ACTIVE' || app.kind !== 'LAW_FIRM') throw expired();
    const requested = (params.scope ?? '').split(' ');
    const scopes = scopeList(requested.filter((s) => app.scopes.includes(s)));
    return {
      uid,
      application: app,
      scopes,
      identity: requested.includes('openid'),
      redirectOrigin: new URL(params.redirect_uri ?? app.redirectUris[0]!).origin,
      needsVerification: scopes.some((s) => s.needsVerification),
      expiresAt: new Date(interaction.exp * 1000),
    };
  }

  return {
    request,

    /**
     * The lawyer approves or refuses on the consent page. Approving scopes that read personal or
     * case data needs an identity-verified session or a fresh AUTHORIZE_APP step-up. Answers
     * where the browser goes next: the confirmation, which only the browser that started the
     * request can complete.
     */
    async decide(identity: Identity, uid: string, approve: boolean): Promise<string> {
      const consent = await request(identity, uid);
      const lawyer = requireRole(identity, 'LAWYER');
      if (approve && consent.needsVerification)
        await requireStepUp(identity, 'AUTHORIZE_APP', deps.stepUps);
      const token = randomBytes(32).toString('base64url');
      const interaction = await deps.provider().Interaction.find(uid);
      const requested = String(interaction?.params.scope ?? '').split(' ');
      await deps.approvals.insertOne({
        _id: digest(token),
        uid,
        lawyerId: lawyer.lawyerId,
        clientId: consent.application._id,
        approve,
        scopes: consent.scopes.map((s) => s.name),
        oidcScopes: requested.filter((s) => oidcScopes.has(s)),
        expiresAt: new Date(deps.now().getTime() + approvalSeconds * 1000),
      });
      return `${deps.issuer}/interaction/${uid}/confirm?approval=${token}`;
    },

    /**
     * `/oauth/interaction/{uid}/confirm`: finishes the interaction with the lawyer's decision,
     * once, in the browser whose cookie names this interaction. An approval replaces the
     * lawyer's earlier grant to the same application. Answers the error to show, or undefined
     * when the browser was sent on to the application.
     */
    async confirm(
      req: IncomingMessage,
      res: ServerResponse,
      uid: string,
      token: string,
      client: ClientInfo,
    ): Promise<string | undefined> {
      const provider = deps.provider();
      const details = await provider.interactionDetails(req, res).catch(() => undefined);
      if (!details || details.uid !== uid) return 'session_not_found';
      const key = digest(token);
      const at = deps.now();
      if (
        !/^[A-Za-z0-9_-]{43}$/.test(token) ||
        !(await claimOnce(deps.claims, `oauth-approval:${key}`, {
          at,
          expiresAt: new Date(at.getTime() + approvalSeconds * 1000),
        }))
      )
        return 'invalid_approval';
      const approval = await deps.approvals.findOne({ _id: key });
      if (
        !approval ||
        approval.uid !== uid ||
        approval.expiresAt <= at ||
        approval.clientId !== details.params.client_id
      )
        return 'invalid_approval';
      if (!approval.approve) {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'the lawyer refused the authorization' },
          { mergeWithLastSubmission: false },
        );
        return undefined;
      }
      const app = await deps.applications.find(approval.clientId);
      if (!app || app.status !== 'ACTIVE') return 'invalid_client';
      const earlier = await deps.store
        .collection('Grant')
        .find({ accountId: approval.lawyerId, clientId: app._id })
        .project<{ _id: string }>({ _id: 1 })
        .toArray();
      for (const g of earlier) await deps.store.revokeGrant(g._id, true);
      const grant = new provider.Grant({ accountId: approval.lawyerId, clientId: app._id });
      if (approval.oidcScopes.length) grant.addOIDCScope(approval.oidcScopes.join(' '));
      grant.addResourceScope(apiResource, approval.scopes.join(' '));
      const grantId = await grant.save();
      await deps.audit.record({
        kind: 'APP_AUTHORIZED',
        actorId: approval.lawyerId,
        actorRole: 'LAWYER',
        targetId: app._id,
        ip: client.ip,
        detail: `${app.name}：${approval.scopes.join(' ') || '（仅身份标识）'}`,
      });
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: approval.lawyerId }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      return undefined;
    },

    /** 授权管理: the lawyer's live authorisations, newest first. */
    async list(identity: Identity): Promise<Authorization[]> {
      const lawyer = requireRole(identity, 'LAWYER');
      const docs = (
        await deps.store.collection('Grant').find({ accountId: lawyer.lawyerId }).toArray()
      ).filter(live);
      const answer: Authorization[] = [];
      for (const doc of docs) {
        const app = await deps.applications.find(doc.clientId ?? '');
        if (!app) continue;
        const payload = JSON.parse(doc.payload) as { iat?: number };
        answer.push({
          id: doc._id,
          application: app,
          scopes: scopeList(grantScopes(doc)),
          grantedAt: new Date((payload.iat ?? 0) * 1000),
          expiresAt: doc.expiresAt ?? null,
        });
      }
      return answer.sort((a, b) => b.grantedAt.getTime() - a.grantedAt.getTime());
    },

    /** The lawyer ends an authorisation: its tokens stop at their next request. */
    async revoke(identity: Identity, grantId: string, client: ClientInfo): Promise<boolean> {
      const lawyer = requireRole(identity, 'LAWYER');
      const doc = await deps.store.collection('Grant').findOne({ _id: grantId });
      if (!live(doc) || doc.accountId !== lawyer.lawyerId)
        throw new AppError('NOT_FOUND', '该授权不存在或已撤销。');
      await deps.store.revokeGrant(grantId, true);
      const app = await deps.applications.find(doc.clientId ?? '');
      await deps.audit.record({
        kind: 'APP_AUTHORIZATION_REVOKED',
        actorId: lawyer.lawyerId,
        actorRole: 'LAWYER',
        targetId: doc.clientId,
        ip: client.ip,
        detail: `${app?.name ?? doc.clientId}：律师撤销授权`,
      });
      return true;
    },

    /** Audits a grant the provider ended itself (a refresh token or code used twice). */
    async grantEnded(doc: OAuthDoc): Promise<void> {
      await deps.audit.record({
        kind: 'APP_AUTHORIZATION_REVOKED',
        actorId: doc.accountId,
        actorRole: 'LAWYER',
        targetId: doc.clientId,
        detail: '令牌被重复使用，授权已由系统撤销',
      });
    },

    /**
     * The gateway's check of a verified access token, on every request (two reads by `_id`):
     * the application must be active, and a law-firm token's grant alive, for the same lawyer
     * and application. Answers the scopes the token may use now (its grant's, within the
     * application's current registration) and a system's procuratorate.
     */
    async check(claims: { clientId: string; sub: string; grantId?: string }): Promise<TokenStatus> {
      const [app, grant] = await Promise.all([
        deps.applications.find(claims.clientId),
        claims.grantId
          ? deps.store.collection('Grant').findOne({ _id: claims.grantId })
          : Promise.resolve(null),
      ]);
      if (!app || app.status !== 'ACTIVE') return { active: false };
      if (app.kind === 'PROCURATORATE_SYSTEM') {
        if (claims.grantId || claims.sub !== app._id || !app.procuratorateId)
          return { active: false };
        return {
          active: true,
          scopes: app.scopes,
          procuratorateId: app.procuratorateId,
          ...gatewayPolicy(app),
        };
      }
      if (!live(grant) || grant.accountId !== claims.sub || grant.clientId !== app._id)
        return { active: false };
      return {
        active: true,
        scopes: grantScopes(grant).filter((s) => app.scopes.includes(s)),
        ...gatewayPolicy(app),
      };
    },
  };
}
export type AuthorizationService = ReturnType<typeof createAuthorizationService>;
