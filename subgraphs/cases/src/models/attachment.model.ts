import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

export const attachmentKinds = [
  'POWER_OF_ATTORNEY',
  'LEGAL_AID_LETTER',
  'LAW_FIRM_LETTER',
  'LICENCE',
  'CLIENT_ID',
  'RELATION_PROOF',
] as const;

/**
 * An uploaded binding material. Written only after the bytes are stored and checked (type,
 * magic bytes, extension, size), so every document names a complete blob. Owned by the
 * uploading lawyer, who may use it in their own applications (a licence serves many).
 */
export const attachmentSchema = new Schema(
  {
    _id: { type: String, default: newId },
    lawyerId: { type: String, required: true },
    kind: { type: String, required: true, enum: attachmentKinds },
    fileName: { type: String, required: true, maxlength: 200 },
    contentType: { type: String, required: true },
    sizeBytes: { type: Number, required: true },
    sha256: { type: String, required: true },
    blobId: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);

export type AttachmentDoc = InferSchemaType<typeof attachmentSchema> & { _id: string };
export const attachmentModel = (c: Connection) =>
  c.model('Attachment', attachmentSchema, 'attachments');
