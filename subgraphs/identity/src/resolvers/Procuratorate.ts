import { requireRole } from '@yuejuan/runtime';
import type { Context } from '../context.ts';

/** A procuratorate as this subgraph knows it: only its id (the cases subgraph owns the rest). */
export type ProcuratorateRef = { id: string };

/**
 * The procuratorate as identity knows it: who reviews its applications. Administrators only
 * (they see which procuratorates have nobody to review, issue 15).
 */
export const Procuratorate = {
  __resolveReference: ({ id }: { id: string }) => ({ id }),
  reviewers: ({ id }: { id: string }, _: unknown, { identity, loaders }: Context) => {
    requireRole(identity, 'ADMINISTRATOR');
    return loaders.prosecutorsOfProcuratorate.load(id);
  },
};
