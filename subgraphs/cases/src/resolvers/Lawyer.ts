import { existing, type PageArgs } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { CasesServices } from '../services/index.ts';
import type { BindingFilter } from '../services/binding.service.ts';

export const Lawyer = ({ bindings }: CasesServices) => ({
  __resolveReference: ({ id }: { id: string }) => ({ id }),
  // Both lists' totals come from one count of the lawyer's applications by status.
  bindingApplications: (
    { id }: { id: string },
    args: PageArgs & { filter?: BindingFilter | null },
    { identity, loaders }: Context,
  ) =>
    bindings.listForLawyer(identity, id, args.filter, args, () => loaders.bindingCounts.load(id)),
  // The cases are loaded only when the client selects edges.
  boundCases: ({ id }: { id: string }, args: PageArgs, { identity, loaders }: Context) =>
    bindings.boundCases(
      identity,
      id,
      args,
      () => loaders.bindingCounts.load(id),
      // One read for the page (DataLoader batches the loads of a tick).
      (caseIds) => Promise.all(caseIds.map((c) => existing(loaders.case, c, '案件'))),
    ),
});
