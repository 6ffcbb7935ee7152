import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

export const readingStatuses = [
  'SUBMITTED',
  'APPROVED',
  'FILE_READY',
  'DOWNLOADED',
  'REJECTED',
] as const;
const acceptance = new Schema(
  { version: { type: String, required: true }, acceptedAt: { type: Date, required: true } },
  { _id: false },
);

/**
 * An online reading application (申请在线阅卷). The procuratorate and case name are copied
 * from cases when it is submitted (reading never reads cases' collections), so the review
 * queue is one filter and messages can name the case.
 */
export const readingApplicationSchema = new Schema(
  {
    _id: { type: String, default: newId },
    lawyerId: { type: String, required: true },
    caseId: { type: String, required: true },
    procuratorateId: { type: String, required: true },
    caseName: { type: String, required: true },
    status: { type: String, required: true, enum: readingStatuses, default: 'SUBMITTED' },
    noticeAcceptance: { type: acceptance, required: true },
    undertakingAcceptance: { type: acceptance, required: true },
    submittedAt: { type: Date, required: true, default: () => new Date() },
    decidedAt: Date,
    decisionReason: String,
    appointmentId: String,
  },
  { timestamps: true, versionKey: false },
);
readingApplicationSchema.index({ lawyerId: 1, _id: -1 });
readingApplicationSchema.index({ procuratorateId: 1, status: 1, _id: -1 });

export type ReadingApplicationDoc = InferSchemaType<typeof readingApplicationSchema> & {
  _id: string;
};
export const readingApplicationModel = (c: Connection) =>
  c.model('ReadingApplication', readingApplicationSchema, 'reading_applications');
