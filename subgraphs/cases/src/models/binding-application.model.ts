import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

export const bindingStatuses = [
  'SUBMITTED',
  'MATERIALS_REQUESTED',
  'APPROVED',
  'REJECTED',
  'WITHDRAWN',
  'REVOKED',
] as const;

/**
 * A binding application (案件绑定申请). The procuratorate is copied from the case so the
 * review queue is one filter; an APPROVED application is the lawyer's binding of the case.
 */
export const bindingApplicationSchema = new Schema(
  {
    _id: { type: String, default: newId },
    lawyerId: { type: String, required: true },
    caseId: { type: String, required: true },
    procuratorateId: { type: String, required: true },
    status: { type: String, required: true, enum: bindingStatuses, default: 'SUBMITTED' },
    lawyerRole: { type: String, required: true, enum: ['DEFENCE_COUNSEL', 'AGENT'] },
    suspectName: { type: String, required: true, trim: true },
    clientName: { type: String, required: true, trim: true },
    clientRelation: {
      type: String,
      required: true,
      enum: ['SELF', 'RELATIVE', 'GUARDIAN', 'LEGAL_AID', 'OTHER'],
    },
    attachmentIds: { type: [String], default: [] },
    submittedAt: { type: Date, required: true, default: () => new Date() },
    decidedAt: Date,
    decisionReason: String,
    materialsRequestNote: String,
    /** Bumped by every change; a change claims `${_id}:decision:${version}` once (see binding-workflow). */
    version: { type: Number, required: true, default: 0 },
  },
  { timestamps: true, versionKey: false },
);
bindingApplicationSchema.index({ lawyerId: 1, _id: -1 });
bindingApplicationSchema.index({ procuratorateId: 1, status: 1, _id: -1 });
bindingApplicationSchema.index({ lawyerId: 1, status: 1, caseId: 1 });

export type BindingApplicationDoc = InferSchemaType<typeof bindingApplicationSchema> & {
  _id: string;
};
export const bindingApplicationModel = (c: Connection) =>
  c.model('BindingApplication', bindingApplicationSchema, 'binding_applications');
