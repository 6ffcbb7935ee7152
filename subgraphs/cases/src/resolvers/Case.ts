import { AppError, existing } from '@yuejuan/runtime';
import { canReadCase, type Context } from '../context.ts';
import type { CaseDoc } from '../models/index.ts';

export const Case = {
  __resolveReference: async ({ id }: { id: string }, { identity, loaders }: Context) => {
    if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
    const c = await loaders.case.load(id);
    if (c && !(await canReadCase(identity, c, loaders)))
      throw new AppError('FORBIDDEN', '无权查看该案件。');
    return c;
  },
  id: (c: CaseDoc) => c._id,
  procuratorate: (c: CaseDoc, _: unknown, { loaders }: Context) =>
    existing(loaders.procuratorate, c.procuratorateId, '受理检察院'),
  readingExclusion: (c: CaseDoc) => c.readingExclusion ?? null,
};

/** CaseSummary is the lawyer's view before binding: the same document, fewer fields. */
export const CaseSummary = {
  id: (c: CaseDoc) => c._id,
  procuratorate: (c: CaseDoc, _: unknown, { loaders }: Context) =>
    existing(loaders.procuratorate, c.procuratorateId, '受理检察院'),
};
