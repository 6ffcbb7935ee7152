import type { Context } from '../context.ts';
import type { CasesServices, } from '../services/index.ts';
import type { BindingFilter } from '../services/binding.service.ts';

type PageArgs = { first?: number; after?: string };

export const Lawyer = ({ bindings }: CasesServices) => ({
  __resolveReference: ({ id }: { id: string }) => ({ id }),
  bindingApplications: ({ id }: { id: string }, args: PageArgs & { filter?: BindingFilter }, { identity }: Context) =>
    bindings.listForLawyer(identity, id, args.filter, args),
  // The cases are loaded only when the client selects edges (a `{ totalCount }` costs one count).
  boundCases: ({ id }: { id: string }, args: PageArgs, { identity, loaders }: Context) =>
    bindings.boundCases(identity, id, args, (caseIds) => loaders.case.loadMany(caseIds)),
});
