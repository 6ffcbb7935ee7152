import type { ApplicationDoc, ApplicationOperationDoc } from '../models/index.ts';
import type { Context } from '../context.ts';
import { scopeByName, type ScopeDefinition } from '@yuejuan/runtime';
import type { IdentityServices } from '../services/index.ts';
import type { Authorization, ConsentRequest } from '../oauth/authorizations.ts';

/** A client secret's record as stored (never its value). */
export type SecretRecord = ApplicationDoc['secrets'][number];

const scopes = (names: string[]): ScopeDefinition[] =>
  names.map((n) => scopeByName.get(n)).filter((s): s is ScopeDefinition => !!s);
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const Application = ({ audit, now, applicationOperations }: IdentityServices) => ({
  id: (a: ApplicationDoc) => a._id,
  kind: (a: ApplicationDoc) => a.kind as 'LAW_FIRM' | 'PROCURATORATE_SYSTEM',
  status: (a: ApplicationDoc) => a.status as 'ACTIVE' | 'SUSPENDED',
  procuratorate: (a: ApplicationDoc) => (a.procuratorateId ? { id: a.procuratorateId } : null),
  scopes: (a: ApplicationDoc) => scopes(a.scopes),
  contactEmail: (a: ApplicationDoc) => a.contactEmail ?? null,
  secrets: (a: ApplicationDoc) => a.secrets.filter((s) => !s.expiresAt || s.expiresAt > now()),
  createdAt: (a: ApplicationDoc) => a.createdAt.toISOString(),
  updatedAt: (a: ApplicationDoc) => a.updatedAt.toISOString(),
  suspendedAt: (a: ApplicationDoc) => iso(a.suspendedAt),
  changes: (a: ApplicationDoc) => audit.about(a._id),
  registeredOperationsOnly: (a: ApplicationDoc) => applicationOperations.operationsOnly(a),
  registeredOperations: (a: ApplicationDoc, _: unknown, { identity }: Context) =>
    applicationOperations.list(identity, a._id),
});

export const RegisteredOperation = {
  registeredAt: (o: ApplicationOperationDoc) => o.registeredAt.toISOString(),
};

export const ClientSecretInfo = {
  createdAt: (s: SecretRecord) => s.createdAt.toISOString(),
  expiresAt: (s: SecretRecord) => iso(s.expiresAt),
};

export const OAuthConsentRequest = {
  applicationName: (c: ConsentRequest) => c.application.name,
  organisation: (c: ConsentRequest) => c.application.organisation,
  expiresAt: (c: ConsentRequest) => c.expiresAt.toISOString(),
};

export const AppAuthorization = {
  applicationName: (a: Authorization) => a.application.name,
  organisation: (a: Authorization) => a.application.organisation,
  grantedAt: (a: Authorization) => a.grantedAt.toISOString(),
  expiresAt: (a: Authorization) => iso(a.expiresAt),
};
