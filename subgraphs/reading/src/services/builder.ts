import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import archiver, { type Archiver } from 'archiver';
import type { PackageDoc } from '../models/index.ts';
import type { BlobStore, StoredBlob } from '@yuejuan/runtime/storage';
import { makeBuildDir } from './build-dirs.ts';
import { spool, type PdfTools } from './pdf.ts';
import { volumeBucket } from './volume.service.ts';

export const packageBucket = 'packages';

export interface BuildInput {
  pkg: PackageDoc;
  /** Blob ids of the packed volumes, by volume id. */
  blobIds: Map<string, string>;
  lawyer: { id: string; name?: string; licenceNumber?: string };
  documentPassword: string;
  /** Called after each volume with the share done (0..1). */
  onProgress(progress: number): Promise<void>;
  /**
   * Called with each volume's file (as uploaded, before 遮蔽 and stamping), and a progress
   * callback for the share of that volume done (the search index reads its text here).
   */
  onVolumeFile?(
    volumeId: string,
    path: string,
    progress: (share: number) => Promise<void>,
  ): Promise<void>;
  /** 遮蔽: writes the volume with its marks burned in (in `dir`) and answers its path, or null when it has none. */
  redact?(volumeId: string, source: string, dir: string): Promise<string | null>;
  /** Checked between volumes: a stopping process leaves the job for a later one. */
  aborted(): boolean;
}

/** The watermark line: who received it, which package, when (traces a leaked copy). */
export function watermarkText(lawyer: BuildInput['lawyer'], packageId: string, date: Date): string {
  const who = [
    lawyer.name,
    lawyer.licenceNumber ? `执业证号${lawyer.licenceNumber}` : null,
    `律师ID ${lawyer.id}`,
  ]
    .filter(Boolean)
    .join(' ');
  return `${who} 卷宗包 ${packageId} ${date.toISOString().slice(0, 10)} 仅供本案阅卷使用`;
}

/** Entry name of a volume in the zip: its position and title. */
export const entryName = (v: { position?: number | null; title?: string | null }) =>
  `${String(v.position ?? 0).padStart(2, '0')}-${(v.title ?? '卷').replace(/[\\/:*?"<>|]/g, '_')}.pdf`;

/** Appends one file to the zip and waits until the archive has taken it whole (bounded memory). */
function appendFile(archive: Archiver, path: string, name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    archive.once('error', onError);
    archive.once('entry', () => {
      archive.off('error', onError);
      resolve();
    });
    archive.append(createReadStream(path), { name, date: new Date() });
  });
}

/**
 * Builds the package zip: each volume copied out of storage to a private temp folder, stamped
 * and encrypted there by qpdf into a second file, which streams into a store-only zip (PDFs do
 * not deflate) that streams into storage as it is made. No volume is ever held in memory, and
 * at most two files of one volume are on disk; the zip appears in storage only once complete
 * (see BlobStore.put).
 */
export async function buildPackageZip(
  blobs: BlobStore,
  pdf: PdfTools,
  input: BuildInput,
): Promise<StoredBlob> {
  const dir = await makeBuildDir(); // removed below; a crashed process's is swept (build-dirs.ts)
  const archive = archiver('zip', { store: true, forceZip64: false });
  const stored = blobs.put(packageBucket, archive, { contentType: 'application/zip' });
  stored.catch(() => undefined); // awaited below; a failure before that must not be unhandled
  try {
    const watermark = join(dir, 'watermark.pdf');
    await pdf.writeWatermark(watermark, watermarkText(input.lawyer, input.pkg._id, new Date()));
    const volumes = [...input.pkg.volumes].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    for (const [i, v] of volumes.entries()) {
      if (input.aborted()) throw new Error('build stopped');
      const [source, output] = [join(dir, `${i}-in.pdf`), join(dir, `${i}-out.pdf`)];
      await spool(blobs.open(volumeBucket, input.blobIds.get(v.volumeId!)!), source);
      // What is published: the volume with its 遮蔽 burned in, when it has any.
      const published = (await input.redact?.(v.volumeId, source, dir)) ?? source;
      await input.onVolumeFile?.(v.volumeId, source, (share) =>
        input.onProgress((i + share * 0.9) / volumes.length),
      );
      await pdf.stampAndEncrypt(published, watermark, output, input.documentPassword);
      await rm(source);
      if (published !== source) await rm(published);
      await appendFile(archive, output, entryName(v));
      await rm(output);
      await input.onProgress((i + 1) / volumes.length);
    }
    await archive.finalize();
    return await stored;
  } catch (err) {
    // Fail the stream (not end it), so storage discards the partial zip instead of keeping it.
    archive.destroy(err as Error);
    const partial = await stored.catch(() => null);
    if (partial) await blobs.delete(packageBucket, partial.id);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
