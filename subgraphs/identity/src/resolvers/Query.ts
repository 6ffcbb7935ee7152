import { AppError, apiScopes, hasSession, requireRole } from '@yuejuan/runtime';
import type { AuthorizationService } from '../oauth/authorizations.ts';
import type { Context } from '../context.ts';
import type { IdentityServices } from '../services/index.ts';
import type { AuditFilter } from '../services/audit.service.ts';
import { consentText } from '../services/consent.ts';
import { refuse } from '../services/errors.ts';
import { assertPersonal } from '../services/lawyer.service.ts';
import { parseQrPayload } from '../services/qr.ts';

export const Query = (s: IdentityServices, authorizations: AuthorizationService) => ({
  viewer: (_: unknown, __: unknown, { identity }: Context) =>
    hasSession(identity) ? { identity } : null,
  lawyer: async (_: unknown, { id }: { id: string }, { identity, loaders }: Context) => {
    assertPersonal(identity, id);
    return loaders.lawyer.load(id);
  },
  prosecutor: async (_: unknown, { id }: { id: string }, { identity, loaders }: Context) => {
    if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
    const self = identity.role === 'PROSECUTOR' && identity.prosecutorId === id;
    if (!self && identity.role !== 'ADMINISTRATOR') throw new AppError('FORBIDDEN');
    return loaders.prosecutor.load(id);
  },
  currentConsentText: () => consentText,
  loginTicket: (_: unknown, a: { id: string; ticketSecret: string }) =>
    s.tickets.read(a.id, a.ticketSecret),
  scanContext: (_: unknown, { qrPayload }: { qrPayload: string }) => {
    const kind = parseQrPayload(qrPayload)?.kind;
    if (kind === 'LOGIN') return s.tickets.context(qrPayload);
    if (kind === 'STEP_UP') return s.challenges.context(qrPayload);
    throw refuse.qrUnknown();
  },
  verificationChallenge: (_: unknown, { id }: { id: string }, { identity }: Context) =>
    s.challenges.read(identity, id),
  auditEvents: (
    _: unknown,
    a: { filter?: AuditFilter | null; first?: number | null; after?: string | null },
    { identity }: Context,
  ) => {
    requireRole(identity, 'ADMINISTRATOR');
    return s.audit.list(a.filter, a.first, a.after);
  },
  applications: (_: unknown, __: unknown, { identity }: Context) => s.applications.list(identity),
  application: (_: unknown, { id }: { id: string }, { identity }: Context) =>
    s.applications.get(identity, id),
  oauthScopes: () => [...apiScopes],
  oauthConsentRequest: (_: unknown, { uid }: { uid: string }, { identity }: Context) =>
    authorizations.request(identity, uid),
  appAuthorizations: (_: unknown, __: unknown, { identity }: Context) =>
    authorizations.list(identity),
});
