import { decodeCursor, lazyConnection, pageSize, type PageArgs } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { AppointmentDoc } from '../models/index.ts';
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
    const filter = args.after
      ? { lawyerId: id, _id: { $lt: decodeCursor(args.after) } }
      : { lawyerId: id };
    return lazyConnection({
      first,
      count: () => models.Appointment.countDocuments({ lawyerId: id }).exec(),
      fetch: () =>
        models.Appointment.find(filter)
          .sort({ _id: -1 })
          .limit(first + 1)
          .lean<AppointmentDoc[]>()
          .exec(),
    });
  },
});

export const Case = ({ volumes }: ReadingServices) => ({
  __resolveReference: ({ id }: { id: string }) => ({ id }),
  volumes: ({ id }: { id: string }, _: unknown, { identity }: Context) =>
    volumes.list(identity, id),
});
