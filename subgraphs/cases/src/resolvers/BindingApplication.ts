import { AppError, existing } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { AttachmentDoc, BindingApplicationDoc } from '../models/index.ts';
import type { CasesServices } from '../services/index.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const BindingApplication = ({ bindings }: CasesServices) => ({
  __resolveReference: async ({ id }: { id: string }, { identity, loaders }: Context) => {
    if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
    const app = await loaders.bindingApplication.load(id);
    if (app) bindings.assertCanRead(identity, app);
    return app;
  },
  id: (a: BindingApplicationDoc) => a._id,
  lawyer: (a: BindingApplicationDoc) => ({ __typename: 'Lawyer', id: a.lawyerId }),
  // The whole case (suspects, stage) only once the binding is approved, or to the reviewing
  // prosecutor: until then a lawyer sees the summary, as when looking the case up.
  case: (a: BindingApplicationDoc, _: unknown, { identity, loaders }: Context) =>
    identity.role === 'LAWYER' && a.status !== 'APPROVED' ? null : loaders.case.load(a.caseId),
  caseSummary: (a: BindingApplicationDoc, _: unknown, { loaders }: Context) =>
    existing(loaders.case, a.caseId, '案件'),
  submittedAt: (a: BindingApplicationDoc) => a.submittedAt.toISOString(),
  decidedAt: (a: BindingApplicationDoc) => iso(a.decidedAt),
  attachments: async (a: BindingApplicationDoc, _: unknown, { loaders }: Context) =>
    (await loaders.attachment.loadMany(a.attachmentIds)).filter(
      (d): d is AttachmentDoc => !!d && !(d instanceof Error),
    ),
});
