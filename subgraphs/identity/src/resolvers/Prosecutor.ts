import { AppError } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { ProsecutorDoc } from '../models/index.ts';

export const Prosecutor = {
  __resolveReference: ({ id }: { id: string }, { identity, loaders }: Context) => {
    if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
    return loaders.prosecutor.load(id);
  },
  id: (p: ProsecutorDoc) => p._id,
  procuratorate: (p: ProsecutorDoc) => ({ id: p.procuratorateId }),
};
