import { AppError, decodeCursor, lazyPage, pageSize } from '@yuejuan/runtime';
import type { AuditEventDoc, IdentityModels } from '../models/index.ts';
import type { auditKinds } from '../models/audit-event.model.ts';

export type AuditKind = (typeof auditKinds)[number];
export type ActorRole = 'LAWYER' | 'PROSECUTOR' | 'ADMINISTRATOR';

/** One thing to write to the audit trail (details never hold a secret). */
export interface AuditEntry {
  kind: AuditKind;
  actorId?: string | null;
  actorRole?: ActorRole | null;
  ip?: string;
  detail?: string;
  /** What the event is about, when not the actor (an application's client id). */
  targetId?: string;
}

export interface AuditFilter {
  kind?: AuditKind | null;
  actorId?: string | null;
  from?: string | null;
  to?: string | null;
}

const isoDate = (field: string, value: string | null | undefined): Date | undefined => {
  if (value === null || value === undefined) return undefined;
  const date = new Date(value);
  if (
    !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value) ||
    Number.isNaN(date.getTime())
  ) {
    throw new AppError('BAD_USER_INPUT', '时间格式应为 ISO 8601，例如 2025-03-01T08:00:00Z。', {
      field,
    });
  }
  return date;
};

/** The audit trail: logins, failed logins, device activations and revocations, step-ups, password changes. */
export function createAuditService(models: IdentityModels, now: () => Date) {
  return {
    /** The records about one target (an application), newest first, at most `limit`. */
    async about(targetId: string, limit = 100): Promise<AuditEventDoc[]> {
      return models.AuditEvent.find({ targetId })
        .sort({ _id: -1 })
        .limit(limit)
        .lean<AuditEventDoc[]>()
        .exec();
    },

    /** Writes one record. */
    async record(entry: AuditEntry): Promise<void> {
      await models.AuditEvent.create({
        ...entry,
        actorId: entry.actorId ?? undefined,
        actorRole: entry.actorRole ?? undefined,
        at: now(),
      });
    },

    /** A page of records, newest first, filtered. */
    async list(
      filter: AuditFilter | null | undefined,
      first: number | null | undefined,
      after: string | null | undefined,
    ) {
      const size = pageSize(first);
      const query: Record<string, unknown> = {};
      if (filter?.kind) query.kind = filter.kind;
      if (filter?.actorId) query.actorId = filter.actorId;
      const from = isoDate('from', filter?.from);
      const to = isoDate('to', filter?.to);
      if (from || to) query.at = { ...(from ? { $gte: from } : {}), ...(to ? { $lte: to } : {}) };
      if (after) query._id = { $lt: decodeCursor(after) };
      // The contract has no totalCount here: the page is fetched when edges or pageInfo is selected.
      return lazyPage({
        first: size,
        fetch: () =>
          models.AuditEvent.find(query)
            .sort({ _id: -1 })
            .limit(size + 1)
            .lean<AuditEventDoc[]>()
            .exec(),
      });
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
