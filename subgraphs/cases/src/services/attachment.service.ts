import type { Readable } from 'node:stream';
import { AppError, requireRole, type Identity } from '@yuejuan/runtime';
import type { AttachmentDoc, CasesModels } from '../models/index.ts';
import { attachmentKinds } from '../models/index.ts';
import {
  BlobTooLargeError,
  contentProblem,
  peekHead,
  sniffLength,
  type AcceptedContentType,
  type BlobStore,
} from '@yuejuan/runtime/storage';

export const attachmentBucket = 'attachments';
const accepted: AcceptedContentType[] = ['application/pdf', 'image/jpeg', 'image/png'];

export interface AttachmentUpload {
  kind: string | undefined;
  fileName: string | undefined;
  contentType: string | undefined;
  contentLength: number | undefined;
}

/** Binding materials: checked and stored on upload, then referenced by applications. */
export function createAttachmentService(
  models: CasesModels,
  blobs: () => BlobStore,
  maxBytes: number,
) {
  return {
    /**
     * Stores one uploaded material of a lawyer. Refuses (storing nothing) an unknown kind, a
     * type other than PDF/JPEG/PNG, bytes that are not what the content type says, an extension
     * that lies, and anything past `maxBytes` (by Content-Length at once, or while streaming).
     */
    async upload(
      identity: Identity,
      meta: AttachmentUpload,
      body: AsyncIterable<Uint8Array> | Readable,
    ): Promise<AttachmentDoc> {
      const lawyer = requireRole(identity, 'LAWYER');
      if (!meta.kind || !(attachmentKinds as readonly string[]).includes(meta.kind))
        throw new AppError('BAD_USER_INPUT', '材料类别无效。', { field: 'kind' });
      const fileName = (meta.fileName ?? '').trim();
      // Control and format characters (a right-to-left override turns "exe.\u202Efdp.pdf" into
      // "exe.pdf.fdp" on screen, zero-width ones hide text) have no place in a file name.
      if (!fileName || fileName.length > 200 || /[\\/\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(fileName))
        throw new AppError('BAD_USER_INPUT', '文件名无效：不能包含斜杠、控制字符或不可见字符。', {
          field: 'fileName',
        });
      if (meta.contentLength !== undefined && meta.contentLength > maxBytes)
        throw tooLarge(maxBytes);
      const { head, body: whole } = await peekHead(body, sniffLength);
      if (head.length === 0) throw new AppError('BAD_USER_INPUT', '文件为空。', { field: 'file' });
      const problem = contentProblem(meta.contentType, fileName, head, accepted);
      if (problem) throw new AppError('UNSUPPORTED_MEDIA_TYPE', problem);
      const contentType = meta.contentType!.split(';')[0]!.trim().toLowerCase();
      let stored;
      try {
        stored = await blobs().put(attachmentBucket, whole, { maxBytes, contentType });
      } catch (err) {
        if (err instanceof BlobTooLargeError) throw tooLarge(maxBytes);
        throw err;
      }
      try {
        const doc = await models.Attachment.create({
          lawyerId: lawyer.lawyerId,
          kind: meta.kind as (typeof attachmentKinds)[number],
          fileName,
          contentType,
          sizeBytes: stored.sizeBytes,
          sha256: stored.sha256,
          blobId: stored.id,
        });
        return doc.toObject() as AttachmentDoc;
      } catch (err) {
        await blobs().delete(attachmentBucket, stored.id);
        throw err;
      }
    },

    /** The caller's own attachments among `ids`, in order; refuses ids that are missing or someone else's. */
    async ownedBy(lawyerId: string, ids: string[]): Promise<AttachmentDoc[]> {
      const unique = [...new Set(ids)];
      const docs = await models.Attachment.find({ _id: { $in: unique } })
        .lean<AttachmentDoc[]>()
        .exec();
      const byId = new Map(docs.map((d) => [d._id, d]));
      for (const id of unique) {
        if (byId.get(id)?.lawyerId !== lawyerId)
          throw new AppError('BAD_USER_INPUT', '附件不存在或不属于本人，请重新上传。', {
            field: 'attachmentIds',
            attachmentId: id,
          });
      }
      return unique.map((id) => byId.get(id)!);
    },

    async get(id: string): Promise<AttachmentDoc | null> {
      return models.Attachment.findById(id).lean<AttachmentDoc>().exec();
    },
  };
}
export type AttachmentService = ReturnType<typeof createAttachmentService>;

const tooLarge = (max: number) =>
  new AppError('PAYLOAD_TOO_LARGE', `文件过大（最大 ${Math.floor(max / 1024 / 1024)} MB）。`, {
    maxBytes: max,
  });
