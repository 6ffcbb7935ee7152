import type { Context } from '../context.ts';
import type { CasesServices } from '../services/index.ts';
import type { BindingFilter } from '../services/binding.service.ts';

type PageArgs = { first?: number; after?: string };

export const Lawyer = ({ bindings }: CasesServices) => ({
  __resolveReference: ({ id }: { id: string }) => ({ id }),
  // Both lists' totals come from one count of the lawyer's applications by status.
  bindingApplications: (
    { id }: { id: string },
    args: PageArgs & { filter?: BindingFilter },
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
      (caseIds) => loaders.case.loadMany(caseIds),
    ),
});
