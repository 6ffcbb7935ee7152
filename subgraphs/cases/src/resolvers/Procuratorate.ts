import type { PageArgs } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { ProcuratorateDoc } from '../models/index.ts';
import type { CasesServices } from '../services/index.ts';

export const Procuratorate = ({ cases }: CasesServices) => ({
  __resolveReference: ({ id }: { id: string }, { loaders }: Context) =>
    loaders.procuratorate.load(id),
  id: (p: ProcuratorateDoc) => p._id,
  cases: (p: ProcuratorateDoc, args: PageArgs, { identity }: Context) =>
    cases.casesOf(identity, p._id, args),
});
