import type { Context } from '../context.ts';
import type { CasesServices, CaseInput } from '../services/index.ts';

export const Mutation = ({ cases }: CasesServices) => ({
  createCase: (_: unknown, { input }: { input: CaseInput }, { identity }: Context) => cases.createCase(identity, input),
  setCaseReadingExclusion: (_: unknown, a: { caseId: string; excluded: boolean; category?: string; reason?: string }, { identity }: Context) =>
    cases.setReadingExclusion(identity, a.caseId, a.excluded, a.category, a.reason),
  setOnlineReading: (_: unknown, a: { procuratorateId: string; enabled: boolean }, { identity }: Context) => cases.setOnlineReading(identity, a.procuratorateId, a.enabled),
});
