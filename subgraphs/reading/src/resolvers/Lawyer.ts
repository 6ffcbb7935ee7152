import { decodeCursor, lazyConnection, pageSize, type PageArgs } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import { readingOwned } from '../models/index.ts';
import { assertCanRead } from '../services/access.ts';
import type { ReadingServices } from '../services/index.ts';

export const Lawyer = ({ applications, models }: ReadingServices) => ({
  __resolveReference: ({ id }: { id: string }) => ({ id }),
  readingApplications: (
    { id }: { id: string },
    args: PageArgs & { status?: string | null },
    { identity }: Context,
  ) => applications.listForLawyer(identity, id, args.status, args),
  /** 我的预约: the lawyer's own appointments, newest first. */
  appointments: ({ id }: { id: string }, args: PageArgs, { identity }: Context) => {
    assertCanRead(identity, { lawyerId: id, procuratorateId: '' });
    const first = pageSize(args.first);
    const before = args.after ? decodeCursor(args.after) : undefined;
    const index = readingOwned(models).appointmentsByLawyer;
    return lazyConnection({
      first,
      count: () => index.count(id),
      fetch: () => index.find(id, {}, { limit: first + 1, before }),
    });
  },
});

export const Case = ({ volumes }: ReadingServices) => ({
  __resolveReference: ({ id }: { id: string }) => ({ id }),
  volumes: ({ id }: { id: string }, _: unknown, { identity }: Context) =>
    volumes.list(identity, id),
});
