import { AppError, type PageArgs } from '@yuejuan/runtime';
import { canReadCase, type Context } from '../context.ts';
import type { CasesServices } from '../services/index.ts';

export const Query = ({ cases, bindings }: CasesServices) => ({
  procuratorates: (_: unknown, args: { province?: string | null; onlineReadingOnly: boolean }) =>
    cases.listProcuratorates(args.province, args.onlineReadingOnly),
  procuratorate: (_: unknown, { id }: { id: string }, { loaders }: Context) =>
    loaders.procuratorate.load(id),
  case: async (_: unknown, { id }: { id: string }, { identity, loaders }: Context) => {
    if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
    const c = await loaders.case.load(id);
    if (!c) return null;
    if (!(await canReadCase(identity, c, loaders)))
      throw new AppError('FORBIDDEN', '无权查看该案件。');
    return c;
  },
  findCase: (
    _: unknown,
    args: { procuratorateId: string; departmentCaseNumber: string },
    { identity }: Context,
  ) => cases.findCase(identity, args.procuratorateId, args.departmentCaseNumber),
  bindingApplication: async (
    _: unknown,
    { id }: { id: string },
    { identity, loaders }: Context,
  ) => {
    if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
    const app = await loaders.bindingApplication.load(id);
    if (app) bindings.assertCanRead(identity, app);
    return app;
  },
  bindingReviewQueue: (_: unknown, args: PageArgs & { status: string }, { identity }: Context) =>
    bindings.reviewQueue(identity, args.status, args),
});
