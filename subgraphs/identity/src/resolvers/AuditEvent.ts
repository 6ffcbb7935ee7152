import type { LazyPage } from '@yuejuan/runtime';
import type { AuditEventDoc } from '../models/index.ts';

/** What `auditEvents` answers: a page fetched only when its parts are selected. */
export type AuditEventPage = LazyPage<AuditEventDoc>;

export const AuditEvent = {
  id: (e: AuditEventDoc) => e._id,
  actorId: (e: AuditEventDoc) => e.actorId ?? null,
  actorRole: (e: AuditEventDoc) => e.actorRole ?? null,
  ip: (e: AuditEventDoc) => e.ip ?? null,
  detail: (e: AuditEventDoc) => e.detail ?? null,
  targetId: (e: AuditEventDoc) => e.targetId ?? null,
  at: (e: AuditEventDoc) => e.at.toISOString(),
};
