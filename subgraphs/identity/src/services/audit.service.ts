import { AppError, decodeCursor, lazyPage, newId, pageSize } from '@yuejuan/runtime';
import { identityOwned, type AuditEventDoc, type IdentityModels } from '../models/index.ts';
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
  const owned = identityOwned(models);
  return {
    /** The records about one target (an application), newest first, at most `limit`. */
    async about(targetId: string, limit = 100): Promise<AuditEventDoc[]> {
      return owned.auditByTarget.find(targetId, {}, { limit });
    },

    /** Writes one record. */
    async record(entry: AuditEntry): Promise<void> {
      const id = newId();
      if (entry.actorId) await owned.auditByActor.added(entry.actorId, id);
      if (entry.targetId) await owned.auditByTarget.added(entry.targetId, id);
      await models.AuditEvent.create({
        _id: id,
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
      if (filter?.actorId) {
        // One person's records: their own list (by `_id` on FerretDB), the dates applied here.
        const actorId = filter.actorId;
        const within = (e: AuditEventDoc) => (!from || e.at >= from) && (!to || e.at <= to);
        return lazyPage({
          first: size,
          fetch: async () =>
            (
              await owned.auditByActor.find(actorId, filter.kind ? { kind: filter.kind } : {}, {
                before: after ? decodeCursor(after) : undefined,
              })
            )
              .filter(within)
              .slice(0, size + 1),
        });
      }
      // Any person's: newest first over the whole trail (on FerretDB a scan of it).
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
