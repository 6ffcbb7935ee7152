import { AppError, type PageArgs } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import { assertCanRead } from '../services/access.ts';
import type { ReadingServices } from '../services/index.ts';
import { readingTerms } from '../services/terms.ts';

/** Loads a record by id for a caller who may read it (null when missing). */
export async function readable<T extends { lawyerId: string; procuratorateId: string }>(
  ctx: Context,
  load: (id: string) => Promise<T | null>,
  id: string,
): Promise<T | null> {
  if (ctx.identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
  const doc = await load(id);
  if (doc) assertCanRead(ctx.identity, doc);
  return doc;
}

export const Query = ({ applications, bookings, reader, redactions }: ReadingServices) => ({
  volumeRedactions: (
    _: unknown,
    a: { volumeId: string; includeRemoved?: boolean | null },
    { identity }: Context,
  ) => redactions.list(identity, a.volumeId, !!a.includeRemoved),
  onlineReading: (_: unknown, { id }: { id: string }, { identity }: Context) =>
    reader.load(identity, id),
  searchCaseFile: (_: unknown, a: { readingId: string; query: string }, { identity }: Context) =>
    reader.search(identity, a.readingId, a.query),
  readingTerms: () => readingTerms,
  readingApplication: (_: unknown, { id }: { id: string }, ctx: Context) =>
    readable(ctx, (i) => ctx.loaders.application.load(i), id),
  appointment: (_: unknown, { id }: { id: string }, ctx: Context) =>
    readable(ctx, (i) => ctx.loaders.appointment.load(i), id),
  receptionSlots: (
    _: unknown,
    a: { procuratorateId: string; type?: string | null },
    { identity }: Context,
  ) => bookings.slots(identity, a.procuratorateId, a.type),
  appointmentQueue: (_: unknown, a: { status?: string; first?: number }, { identity }: Context) =>
    bookings.queue(identity, a.status, a.first),
  readingReviewQueue: (
    _: unknown,
    args: PageArgs & { status?: string | null },
    { identity }: Context,
  ) => applications.reviewQueue(identity, args.status, args),
});
