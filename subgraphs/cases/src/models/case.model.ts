import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

export const caseStages = ['ARREST_REVIEW', 'PROSECUTION_REVIEW', 'TRIAL', 'CLOSED'] as const;
export const exclusionCategories = ['STATE_SECRETS', 'MINORS', 'OTHER'] as const;

/** A case of a procuratorate, unique by (procuratorate, 部门受案号). */
export const caseSchema = new Schema(
  {
    _id: { type: String, default: newId },
    procuratorateId: { type: String, required: true },
    departmentCaseNumber: { type: String, required: true, trim: true, maxlength: 64 },
    caseName: { type: String, required: true, trim: true, maxlength: 200 },
    suspects: { type: [String], required: true },
    stage: { type: String, required: true, enum: caseStages },
    readingExclusion: {
      type: new Schema(
        {
          category: { type: String, enum: exclusionCategories, required: true },
          reason: { type: String, required: true },
        },
        { _id: false },
      ),
      default: undefined,
    },
  },
  { timestamps: true, versionKey: false },
);
caseSchema.index({ procuratorateId: 1, departmentCaseNumber: 1 }, { unique: true });
// A procuratorate's cases, newest first (案件与卷宗; FerretDB reads them by id sets, models/owned.ts).
caseSchema.index({ procuratorateId: 1, _id: -1 });

export type CaseDoc = InferSchemaType<typeof caseSchema> & { _id: string };
export const caseModel = (c: Connection) => c.model('Case', caseSchema, 'cases');
