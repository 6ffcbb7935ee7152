import type { Connection } from 'mongoose';
import { attachmentModel } from './attachment.model.ts';
import { bindingApplicationModel } from './binding-application.model.ts';
import { caseModel } from './case.model.ts';
import { procuratorateModel } from './procuratorate.model.ts';

/** The cases subgraph's models, registered on its own connection. */
export function casesModels(connection: Connection) {
  return {
    Procuratorate: procuratorateModel(connection),
    Case: caseModel(connection),
    BindingApplication: bindingApplicationModel(connection),
    Attachment: attachmentModel(connection),
  };
}
export type CasesModels = ReturnType<typeof casesModels>;
export { casesOwned, pendingBindingStatuses } from './owned.ts';
export type { ProcuratorateDoc } from './procuratorate.model.ts';
export type { CaseDoc } from './case.model.ts';
export type { BindingApplicationDoc } from './binding-application.model.ts';
export { caseStages, exclusionCategories } from './case.model.ts';
export type { AttachmentDoc } from './attachment.model.ts';
export { attachmentKinds } from './attachment.model.ts';
export { bindingStatuses } from './binding-application.model.ts';
