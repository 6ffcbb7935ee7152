import type { Context } from '../context.ts';
import type { ProsecutorDoc } from '../models/index.ts';

export const Prosecutor = {
  __resolveReference: ({ id }: { id: string }, { loaders }: Context) => loaders.prosecutor.load(id),
  id: (p: ProsecutorDoc) => p._id,
  procuratorate: (p: ProsecutorDoc) => ({ id: p.procuratorateId }),
};
