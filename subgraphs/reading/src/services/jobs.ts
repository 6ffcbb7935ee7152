import type { Collection } from 'mongodb';
import { claimOnce, type Logger } from '@yuejuan/runtime';
import type { BuildJobDoc, PackageDoc, ReadingModels } from '../models/index.ts';
import type { BlobStore } from '@yuejuan/runtime/storage';
import { buildPackageZip, packageBucket } from './builder.ts';
import { sweepBuildDirs } from './build-dirs.ts';
import type { ReadingEvents } from './events.ts';
import type { PdfTools } from './pdf.ts';
import type { Peers } from './peers.ts';
import { generatePassword, hashPassword } from './secrets.ts';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { redactPdf, type Mark } from './redaction.service.ts';
import { textKey } from './reader.service.ts';
import { volumeBucket } from './volume.service.ts';
import { packageBuildSeconds, packageBuildsTotal } from '../metrics.ts';

export interface RunnerOptions {
  staleSeconds: number;
  ttlDays: number;
  /** qpdf and the watermark font. */
  pdf: PdfTools;
  pollMs?: number;
  /** After a build is READY (status changes of applications and appointments). */
  onReady(pkg: PackageDoc): Promise<void>;
  /** The CJK font of 遮蔽's notices on withheld pages. */
  fontPath: string;
  /** Makes a volume searchable from its file (once; page by page, with progress). */
  indexVolume?(
    volume: { _id: string; blobId: string; pageCount: number },
    file: string,
    onPage: (done: number) => Promise<void> | void,
    marks?: Mark[],
  ): Promise<void>;
}

/**
 * Runs package builds from the `build_jobs` collection, one at a time per process. A job is
 * taken by claiming `${jobId}:${attempt}` once, and kept alive by heartbeats; a job whose
 * process died (no heartbeat for `staleSeconds`, e.g. after a restart) is taken over and built
 * again from the start: the document password of the lost attempt was never stored, so a
 * build cannot be resumed half-way, and nothing is READY until its whole zip is stored.
 */
export function createBuildRunner(
  models: ReadingModels,
  blobs: () => BlobStore,
  peers: Peers,
  events: ReadingEvents,
  claims: () => Collection<{ _id: string; at: Date }>,
  logger: Logger,
  options: RunnerOptions,
) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopping = false;

  /** Removes the temporary folders of builds whose process died (a crash cannot clean up after itself). */
  async function sweep() {
    const removed = await sweepBuildDirs().catch((err) => {
      logger.warn({ err }, 'sweeping stale build folders failed');
      return [];
    });
    if (removed.length > 0) logger.info({ removed }, 'removed build folders of dead processes');
  }

  async function take(job: BuildJobDoc): Promise<boolean> {
    const attempt = (job.attempt ?? 0) + 1;
    if (!(await claimOnce(claims(), `${job._id}:${attempt}`, { at: new Date() }))) return false;
    if (job.status === 'RUNNING') await sweep(); // taking over a dead process's build: its folder may be left
    await models.BuildJob.updateOne(
      { _id: job._id },
      { $set: { status: 'RUNNING', attempt, heartbeatAt: new Date() } },
    ).exec();
    return true;
  }

  async function setProgress(pkg: PackageDoc, progress: number) {
    await models.Package.updateOne(
      { _id: pkg._id, keyVersion: pkg.keyVersion },
      { $set: { progress } },
    ).exec();
    await events.package({ ...pkg, status: 'PREPARING', progress });
  }

  async function run(job: BuildJobDoc) {
    const pkg = await models.Package.findById(job.packageId).lean<PackageDoc>().exec();
    if (!pkg || pkg.keyVersion !== job.keyVersion || pkg.status !== 'PREPARING') {
      await models.BuildJob.updateOne(
        { _id: job._id },
        { $set: { status: 'DONE', error: 'superseded' } },
      ).exec();
      return;
    }
    const started = performance.now();
    const beat = setInterval(
      () =>
        void models.BuildJob.updateOne({ _id: job._id }, { $set: { heartbeatAt: new Date() } })
          .exec()
          .catch(() => undefined),
      Math.max(1000, (options.staleSeconds * 1000) / 3),
    );
    try {
      await setProgress(pkg, 0);
      const volumes = await models.Volume.find({
        _id: { $in: pkg.volumes.map((v) => v.volumeId!) },
      })
        .select('blobId pageCount')
        .lean<{ _id: string; blobId: string; pageCount: number }[]>()
        .exec();
      const blobIds = new Map(volumes.map((v) => [v._id, v.blobId]));
      if (blobIds.size !== pkg.volumes.length)
        throw new Error('a volume of the package was deleted');
      // 遮蔽: each marked volume is published as a copy with its marks burned in (stored as a blob).
      const published = new Map<string, { blobId: string; redactions: number; marks: Mark[] }>();
      const contact = await peers.lawyerContact(pkg.lawyerId);
      const documentPassword = generatePassword(12);
      const stored = await buildPackageZip(blobs(), options.pdf, {
        pkg,
        blobIds,
        documentPassword,
        lawyer: { id: pkg.lawyerId, name: contact?.name, licenceNumber: contact?.licenceNumber },
        onProgress: (share) => setProgress(pkg, Math.min(0.99, share * 0.99)),
        redact: async (volumeId, source, dir) => {
          const marks = await models.Redaction.find({ volumeId, removedAt: { $exists: false } })
            .lean<
              {
                page: number;
                region?: { x: number; y: number; width: number; height: number };
                category: string;
              }[]
            >()
            .exec();
          const volume = volumes.find((v) => v._id === volumeId);
          if (marks.length === 0 || !volume) return null;
          const out = join(dir, `${volumeId}-redacted.pdf`);
          await redactPdf(source, marks, volume.pageCount, dir, out, options.fontPath);
          const stored = await blobs().put(volumeBucket, createReadStream(out), {
            contentType: 'application/pdf',
          });
          published.set(volumeId, { blobId: stored.id, redactions: marks.length, marks });
          return out;
        },
        onVolumeFile: async (volumeId, file, progress) => {
          const found = volumes.find((v) => v._id === volumeId);
          if (!found || !options.indexVolume) return;
          // The text searched is the published text: a redacted volume is indexed under its copy,
          // from its own words without those under its marks.
          const copy = published.get(volumeId);
          const volume = { ...found, _id: textKey({ volumeId, publishedBlobId: copy?.blobId }) };
          let told = Date.now();
          // Search is not worth a failed package: a volume left unindexed is indexed when a reading opens.
          await options
            .indexVolume(
              volume,
              file,
              async (done) => {
                // At most one progress update a second (text-layer pages take milliseconds each).
                if (Date.now() - told < 1000) return;
                told = Date.now();
                await progress(done / volume.pageCount);
              },
              copy?.marks,
            )
            .catch((err) => logger.warn({ err, volumeId }, 'volume text not indexed'));
        },
        aborted: () => stopping,
      });
      const downloadPassword = generatePassword(8);
      const readyAt = new Date();
      const expiresAt = new Date(readyAt.getTime() + options.ttlDays * 86_400_000);
      const current = await models.Package.findById(pkg._id).lean<PackageDoc>().exec();
      if (!current || current.keyVersion !== pkg.keyVersion || current.status !== 'PREPARING') {
        await blobs().delete(packageBucket, stored.id); // revoked or re-keyed meanwhile
        packageBuildsTotal.inc({ outcome: 'superseded' });
        await models.BuildJob.updateOne(
          { _id: job._id },
          { $set: { status: 'DONE', error: 'superseded' } },
        ).exec();
        return;
      }
      // One write makes it READY with the complete zip: never a half package marked ready.
      await models.Package.updateOne(
        { _id: pkg._id },
        {
          $set: {
            status: 'READY',
            progress: 1,
            blobId: stored.id,
            sizeBytes: stored.sizeBytes,
            sha256: stored.sha256,
            downloadPasswordHash: await hashPassword(downloadPassword),
            readyAt,
            expiresAt,
            attemptRound: (current.attemptRound ?? 0) + 1,
            volumes: pkg.volumes.map((v) => {
              const copy = published.get(v.volumeId);
              const { publishedBlobId: _old, redactions: _n, ...rest } = v;
              return copy
                ? { ...rest, publishedBlobId: copy.blobId, redactions: copy.redactions }
                : rest;
            }),
          },
          $unset: { lockedUntil: 1, failure: 1 },
        },
      ).exec();
      if (current.blobId && current.blobId !== stored.id)
        await blobs().delete(packageBucket, current.blobId);
      // The published copies of the build this one replaces.
      for (const v of current.volumes)
        if (v.publishedBlobId && published.get(v.volumeId)?.blobId !== v.publishedBlobId)
          await blobs().delete(volumeBucket, v.publishedBlobId);
      await models.BuildJob.updateOne({ _id: job._id }, { $set: { status: 'DONE' } }).exec();
      packageBuildsTotal.inc({ outcome: 'ready' });
      packageBuildSeconds.observe((performance.now() - started) / 1000);
      const ready = (await models.Package.findById(pkg._id).lean<PackageDoc>().exec())!;
      await events.package(ready);
      await options.onReady(ready);
      const to = { recipientId: pkg.lawyerId, role: 'LAWYER' as const };
      await peers.sms({
        to,
        kind: 'PACKAGE_READY',
        variables: {
          password: downloadPassword,
          expiresAt: expiresAt.toISOString(),
          caseName: pkg.caseName,
        },
        dedupeKey: `${pkg._id}:${pkg.keyVersion}:PACKAGE_READY`,
      });
      await peers.sms({
        to,
        kind: 'DOCUMENT_PASSWORD',
        variables: { password: documentPassword, caseName: pkg.caseName },
        dedupeKey: `${pkg._id}:${pkg.keyVersion}:DOCUMENT_PASSWORD`,
      });
    } catch (err) {
      if (stopping) {
        // Stopped (a restart): released, so another process takes it over at its next look
        // instead of after the stale window. A crash leaves it RUNNING until its heartbeat is stale.
        await models.BuildJob.updateOne({ _id: job._id }, { $set: { heartbeatAt: new Date(0) } })
          .exec()
          .catch(() => undefined);
        return;
      }
      logger.error({ err, packageId: pkg._id }, 'package build failed');
      packageBuildsTotal.inc({ outcome: 'failed' });
      await models.BuildJob.updateOne(
        { _id: job._id },
        { $set: { status: 'FAILED', error: String((err as Error).message ?? err) } },
      ).exec();
      const failed = await models.Package.findOneAndUpdate(
        { _id: pkg._id, keyVersion: pkg.keyVersion, status: 'PREPARING' },
        { $set: { status: 'FAILED', failure: '卷宗包制作失败，请重新发布。' } },
        { new: true },
      )
        .lean<PackageDoc>()
        .exec();
      if (failed) await events.package(failed);
    } finally {
      clearInterval(beat);
    }
  }

  async function scan() {
    const staleBefore = new Date(Date.now() - options.staleSeconds * 1000);
    const jobs = await models.BuildJob.find({ status: { $in: ['QUEUED', 'RUNNING'] } })
      .sort({ createdAt: 1 })
      .lean<BuildJobDoc[]>()
      .exec();
    for (const job of jobs) {
      if (stopping) return;
      if (job.status === 'RUNNING' && job.heartbeatAt && job.heartbeatAt > staleBefore) continue;
      if (await take(job)) await run(job);
    }
  }

  function kick() {
    if (stopping) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await scan().catch((err) => logger.error({ err }, 'build scan failed'));
      } while (again && !stopping);
    })().finally(() => {
      running = null;
    });
  }

  return {
    /** Looks for work now (after a publish); start() also looks at start-up and every `pollMs` (default: the stale time). */
    kick,
    start() {
      stopping = false;
      void sweep();
      kick();
      // Other processes' dead jobs only become takeable once stale, so polling faster gains nothing.
      timer = setInterval(kick, options.pollMs ?? options.staleSeconds * 1000);
      timer.unref();
    },
    /** Stops taking work and waits for the current volume to finish. */
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
export type BuildRunner = ReturnType<typeof createBuildRunner>;
