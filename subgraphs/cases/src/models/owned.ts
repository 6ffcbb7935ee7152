import { keyIndex, ownedIndex } from '@yuejuan/runtime';
import type { BindingApplicationDoc } from './binding-application.model.ts';
import type { CaseDoc } from './case.model.ts';
import type { CasesModels } from './index.ts';

/** Binding applications waiting for the procuratorate (SUBMITTED, MATERIALS_REQUESTED). */
export const pendingBindingStatuses = ['SUBMITTED', 'MATERIALS_REQUESTED'];

const byModels = new WeakMap<object, ReturnType<typeof create>>();

const create = (models: CasesModels) => ({
  /** A lawyer's binding applications (案件绑定申请, 已绑定案件, the bound checks). */
  bindingsByLawyer: ownedIndex<BindingApplicationDoc>({
    model: models.BindingApplication,
    owner: 'lawyerId',
    collection: 'lawyer_bindings',
  }),
  /** A procuratorate's pending applications: the review queue (审核队列). */
  pendingByProcuratorate: ownedIndex<BindingApplicationDoc>({
    model: models.BindingApplication,
    owner: 'procuratorateId',
    collection: 'procuratorate_pending_bindings',
    member: { field: 'status', values: pendingBindingStatuses },
  }),
  /** All of a procuratorate's applications (the queue's other statuses). */
  bindingsByProcuratorate: ownedIndex<BindingApplicationDoc>({
    model: models.BindingApplication,
    owner: 'procuratorateId',
    collection: 'procuratorate_bindings',
  }),
  /** A procuratorate's cases (案件与卷宗). */
  casesByProcuratorate: ownedIndex<CaseDoc>({
    model: models.Case,
    owner: 'procuratorateId',
    collection: 'procuratorate_cases',
  }),
  /**
   * A case by its procuratorate and 部门受案号 (`<procuratorateId>:<部门受案号>` on FerretDB): the
   * lawyers' lookup, and the one insert of a case that import, intake and entry share.
   */
  caseByNumber: keyIndex<CaseDoc>({
    model: models.Case,
    fields: ['procuratorateId', 'departmentCaseNumber'],
    collection: 'case_numbers',
  }),
});

/**
 * Binding applications and cases by owner, and cases by 部门受案号: MongoDB answers from the
 * models' indexes, FerretDB from id sets and key documents kept by `_id` (runtime ownedIndex,
 * keyIndex). One per set of models, so its one-time checks run once.
 */
export function casesOwned(models: CasesModels): ReturnType<typeof create> {
  let owned = byModels.get(models.BindingApplication);
  if (!owned) byModels.set(models.BindingApplication, (owned = create(models)));
  return owned;
}
