import { ownedIndex } from '@yuejuan/runtime';
import type { BindingApplicationDoc } from './binding-application.model.ts';
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
});

/**
 * Binding applications by owner: MongoDB answers from the model's indexes, FerretDB from id sets
 * kept by `_id` (runtime ownedIndex). One per set of models, so its one-time checks run once.
 */
export function casesOwned(models: CasesModels): ReturnType<typeof create> {
  let owned = byModels.get(models.BindingApplication);
  if (!owned) byModels.set(models.BindingApplication, (owned = create(models)));
  return owned;
}
