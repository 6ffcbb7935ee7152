import type { Context } from '../context.ts';
import type { BindingInput, CasesServices, CaseInput } from '../services/index.ts';

type Id = { id: string };

export const Mutation = ({ cases, workflow, intake }: CasesServices) => ({
  intakeCase: (_: unknown, a: { requestId: string; input: CaseInput }, { identity }: Context) =>
    intake.intakeCase(identity, a.requestId, a.input),
  createCase: (_: unknown, { input }: { input: CaseInput }, { identity }: Context) =>
    cases.createCase(identity, input),
  setCaseReadingExclusion: (
    _: unknown,
    a: { caseId: string; excluded: boolean; category?: string | null; reason?: string | null },
    { identity }: Context,
  ) => cases.setReadingExclusion(identity, a.caseId, a.excluded, a.category, a.reason),
  setOnlineReading: (
    _: unknown,
    a: { procuratorateId: string; enabled: boolean },
    { identity }: Context,
  ) => cases.setOnlineReading(identity, a.procuratorateId, a.enabled),
  submitBindingApplication: (
    _: unknown,
    { input }: { input: BindingInput },
    { identity }: Context,
  ) => workflow.submit(identity, input),
  withdrawBindingApplication: (_: unknown, { id }: Id, { identity }: Context) =>
    workflow.withdraw(identity, id),
  addBindingMaterials: (_: unknown, a: Id & { attachmentIds: string[] }, { identity }: Context) =>
    workflow.addMaterials(identity, a.id, a.attachmentIds),
  approveBindingApplication: (_: unknown, { id }: Id, { identity }: Context) =>
    workflow.approve(identity, id),
  rejectBindingApplication: (_: unknown, a: Id & { reason: string }, { identity }: Context) =>
    workflow.reject(identity, a.id, a.reason),
  requestBindingMaterials: (_: unknown, a: Id & { note: string }, { identity }: Context) =>
    workflow.requestMaterials(identity, a.id, a.note),
  revokeBinding: (_: unknown, a: Id & { reason: string }, { identity }: Context) =>
    workflow.revoke(identity, a.id, a.reason),
});
