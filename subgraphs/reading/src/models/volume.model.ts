import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

/** A volume (卷) of a case file: a PDF uploaded by a prosecutor of the case's procuratorate. */
export const volumeSchema = new Schema(
  {
    _id: { type: String, default: newId },
    caseId: { type: String, required: true },
    procuratorateId: { type: String, required: true },
    title: { type: String, required: true, maxlength: 100 },
    position: { type: Number, required: true },
    sizeBytes: { type: Number, required: true },
    pageCount: { type: Number, required: true },
    sha256: { type: String, required: true },
    blobId: { type: String, required: true },
    uploadedBy: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);
volumeSchema.index({ caseId: 1, position: 1 });

export type VolumeDoc = InferSchemaType<typeof volumeSchema> & { _id: string };
export const volumeModel = (c: Connection) => c.model('Volume', volumeSchema, 'volumes');
