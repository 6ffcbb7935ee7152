import type { Context } from '../context.ts';
import type { CasesServices, } from '../services/index.ts';
import type { BindingFilter } from '../services/binding.service.ts';

type PageArgs = { first?: number; after?: string };

export const Lawyer = ({ bindings }: CasesServices) => ({
  __resolveReference: ({ id }: { id: string }) => ({ id }),
  bindingApplications: ({ id }: { id: string }, args: PageArgs & { filter?: BindingFilter }, { identity }: Context) =>
    bindings.listForLawyer(identity, id, args.filter, args),
  boundCases: async ({ id }: { id: string }, args: PageArgs, { identity, loaders }: Context) => {
    const page = await bindings.boundBindings(identity, id, args);
    const cases = await loaders.case.loadMany(page.edges.map((e) => e.node.caseId));
    return { ...page, edges: page.edges.map((e, i) => ({ cursor: e.cursor, node: cases[i] })) };
  },
});
