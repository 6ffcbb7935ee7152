import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, newId, requireRole, requireScopes, type Identity } from '@yuejuan/runtime';
import { readingOwned, type ReadingModels, type VolumeDoc } from '../models/index.ts';
import {
  BlobTooLargeError,
  contentProblem,
  HashingCounter,
  peekHead,
  sniffLength,
  type BlobStore,
} from '@yuejuan/runtime/storage';
import { assertReviewer } from './access.ts';
import type { PdfTools } from './pdf.ts';
import type { Peers } from './peers.ts';

export const volumeBucket = 'volumes';

/**
 * A case's volumes in order (position, then upload), optionally only a procuratorate's: read by
 * the case's id set on FerretDB (models/owned.ts), by the `{caseId, position}` index on MongoDB.
 */
export async function caseVolumes(
  models: ReadingModels,
  caseId: string,
  procuratorateId?: string,
): Promise<VolumeDoc[]> {
  const volumes = await readingOwned(models).volumesByCase.find(
    caseId,
    procuratorateId === undefined ? {} : { procuratorateId },
  );
  return volumes.sort((a, b) => a.position - b.position || (a._id < b._id ? -1 : 1));
}

export interface VolumeArrangement {
  volumeId: string;
  title: string;
  position: number;
}

const titleOf = (value: unknown) => {
  const title = typeof value === 'string' ? value.trim() : '';
  if (!title || title.length > 100)
    throw new AppError('BAD_USER_INPUT', '请填写卷名（最多100字）。', { field: 'title' });
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(title))
    throw new AppError('BAD_USER_INPUT', '卷名不能包含控制字符或不可见字符。', { field: 'title' });
  return title;
};

/**
 * A volume of the caller's procuratorate that no package being built or downloadable holds:
 * one a prosecutor may still change (delete, 遮蔽). CONFLICT with `published` otherwise.
 */
export async function unpublishedVolume(
  models: ReadingModels,
  identity: Identity,
  id: string,
  published: string,
): Promise<VolumeDoc> {
  requireRole(identity, 'PROSECUTOR');
  const volume = await models.Volume.findById(id).lean<VolumeDoc>().exec();
  if (!volume) throw new AppError('NOT_FOUND', '卷宗不存在。');
  assertReviewer(identity, volume.procuratorateId);
  if (
    await models.Package.exists({
      'volumes.volumeId': id,
      status: { $in: ['PREPARING', 'READY'] },
    }).exec()
  )
    throw new AppError('CONFLICT', published);
  return volume;
}

/** The volumes (卷) of a case file, uploaded and arranged by the case's prosecutors. */
export function createVolumeService(
  models: ReadingModels,
  peers: Peers,
  blobs: () => BlobStore,
  pdf: PdfTools,
  maxBytes: number,
) {
  return {
    /**
     * Streams one PDF volume (checked by content type, magic bytes and size, never buffered
     * whole) to a private temp file, where qpdf reads its page count (refusing a damaged or
     * encrypted PDF before anything is stored), then streams it into storage. Appended after
     * the case's last volume.
     */
    async upload(
      identity: Identity,
      caseId: string,
      rawTitle: string,
      contentType: string | undefined,
      contentLength: number | undefined,
      body: AsyncIterable<Uint8Array> | Readable,
    ): Promise<VolumeDoc> {
      // A procuratorate's own case system (client credentials, volumes:write) uploads like its staff.
      const uploader = requireRole(identity, 'PROSECUTOR', 'SYSTEM');
      requireScopes(identity, [['volumes:write']]);
      const title = titleOf(rawTitle);
      if (contentLength !== undefined && contentLength > maxBytes)
        throw new AppError('PAYLOAD_TOO_LARGE', '卷宗文件过大。', { maxBytes });
      const check = await peers.checkBinding(null, caseId);
      if (!check.exists) throw new AppError('NOT_FOUND', '案件不存在。');
      if (uploader.role === 'SYSTEM') {
        if (uploader.procuratorateId !== check.procuratorateId)
          throw new AppError('FORBIDDEN', '只能向本院的案件上传卷宗。');
      } else assertReviewer(identity, check.procuratorateId!);
      const { head, body: whole } = await peekHead(body, sniffLength);
      const problem = contentProblem(contentType, `${title}.pdf`, head, ['application/pdf']);
      if (problem) throw new AppError('UNSUPPORTED_MEDIA_TYPE', problem);
      const dir = await mkdtemp(join(tmpdir(), 'yuejuan-volume-'));
      const file = join(dir, 'volume.pdf');
      try {
        await pipeline(
          Readable.from(whole),
          new HashingCounter(maxBytes),
          createWriteStream(file, { flags: 'wx', mode: 0o600 }),
        ).catch((err) => {
          throw err instanceof BlobTooLargeError
            ? new AppError('PAYLOAD_TOO_LARGE', '卷宗文件过大。', { maxBytes })
            : err;
        });
        const pageCount = await pdf.countPages(file);
        const stored = await blobs().put(volumeBucket, createReadStream(file), {
          maxBytes,
          contentType: 'application/pdf',
        });
        try {
          const last = (await caseVolumes(models, caseId)).at(-1);
          const id = newId();
          await readingOwned(models).volumesByCase.added(caseId, id);
          const doc = await models.Volume.create({
            _id: id,
            caseId,
            procuratorateId: check.procuratorateId!,
            title,
            position: (last?.position ?? 0) + 1,
            sizeBytes: stored.sizeBytes,
            pageCount,
            sha256: stored.sha256,
            blobId: stored.id,
            uploadedBy:
              uploader.role === 'SYSTEM' ? `app:${uploader.app.clientId}` : uploader.prosecutorId,
          });
          return doc.toObject() as VolumeDoc;
        } catch (err) {
          await blobs().delete(volumeBucket, stored.id);
          throw err;
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    /** The case's volumes in order: its procuratorate's prosecutors and administrators (others see none). */
    async list(identity: Identity, caseId: string): Promise<VolumeDoc[]> {
      if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
      if (identity.role !== 'PROSECUTOR' && identity.role !== 'ADMINISTRATOR')
        throw new AppError('FORBIDDEN', '卷宗仅供检察人员管理。');
      return caseVolumes(
        models,
        caseId,
        identity.role === 'PROSECUTOR' ? identity.procuratorateId : undefined,
      );
    },

    /** Orders and names all volumes of a case: every volume once, positions 1..n. */
    async arrange(
      identity: Identity,
      caseId: string,
      arrangement: VolumeArrangement[],
    ): Promise<VolumeDoc[]> {
      requireRole(identity, 'PROSECUTOR');
      const volumes = await caseVolumes(models, caseId);
      if (volumes.length === 0) throw new AppError('NOT_FOUND', '该案件尚无卷宗。');
      assertReviewer(identity, volumes[0]!.procuratorateId);
      const ids = new Set(volumes.map((v) => v._id));
      const positions = arrangement.map((a) => a.position).sort((a, b) => a - b);
      if (
        arrangement.length !== volumes.length ||
        new Set(arrangement.map((a) => a.volumeId)).size !== volumes.length ||
        arrangement.some((a) => !ids.has(a.volumeId))
      ) {
        throw new AppError('BAD_USER_INPUT', '请对该案件的全部卷宗逐一排序。', {
          field: 'volumes',
        });
      }
      if (positions.some((p, i) => p !== i + 1))
        throw new AppError('BAD_USER_INPUT', '卷序号须为 1 到卷数的连续整数。', {
          field: 'position',
        });
      for (const a of arrangement)
        await models.Volume.updateOne(
          { _id: a.volumeId },
          { $set: { title: titleOf(a.title), position: a.position } },
        ).exec();
      return caseVolumes(models, caseId);
    },

    /** Removes a volume that is in no package being built or downloadable. */
    async remove(identity: Identity, id: string): Promise<boolean> {
      const volume = await unpublishedVolume(models, identity, id, '该卷已在卷宗包中，不能删除。');
      await models.Volume.deleteOne({ _id: id }).exec();
      await readingOwned(models).volumesByCase.left(volume.caseId, id);
      await blobs().delete(volumeBucket, volume.blobId);
      return true;
    },
  };
}
export type VolumeService = ReturnType<typeof createVolumeService>;
