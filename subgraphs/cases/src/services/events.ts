/** Topic of binding application changes (contract between subgraphs). */
export const bindingChangedTopic = 'cases.bindingApplication.changed';

/** Payload of `cases.bindingApplication.changed`: keys only. */
export interface BindingChangedPayload extends Record<string, unknown> {
  applicationId: string;
  lawyerId: string;
  procuratorateId: string;
  caseId: string;
  status: string;
  reason?: string;
  /** 案件名称, so the lawyer's message names the case. */
  caseName?: string;
}
