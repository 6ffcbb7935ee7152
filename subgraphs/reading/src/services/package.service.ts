import type { Collection } from 'mongodb';
import {
  AppError,
  claimOnce,
  isDuplicateKey,
  newId,
  requireRole,
  requireStepUp,
  type Identity,
  type StepUpClaim,
} from '@yuejuan/runtime';
import {
  appointmentTypes,
  readingOwned,
  type AppointmentDoc,
  type PackageDoc,
  type ReadingModels,
  type VolumeDoc,
} from '../models/index.ts';
import type { BlobStore } from '@yuejuan/runtime/storage';
import { assertCanRead, assertOwner, assertReviewer } from './access.ts';
import { packageBucket } from './builder.ts';
import { caseVolumes, volumeBucket } from './volume.service.ts';
import type { ReadingEvents } from './events.ts';
import type { Peers } from './peers.ts';

export interface PackageStores {
  /** `${appointmentId}:after:${previousPackageId|none}`: one new package per appointment state. */
  publishes: Collection<{ _id: string; packageId: string; at: Date }>;
  /** `${packageId}:revoke`. */
  changes: Collection<{ _id: string; by: string; at: Date }>;
  stepUps: Collection<StepUpClaim>;
}

/** Effective status: a READY package past its expiry is EXPIRED (computed, so no sweeper is needed). */
export const effectiveStatus = (p: PackageDoc, now = new Date()) =>
  p.status === 'READY' && p.expiresAt && p.expiresAt <= now ? 'EXPIRED' : p.status;

/** Publishing, revoking and re-keying packages; the build itself runs in the job runner. */
export function createPackageService(
  models: ReadingModels,
  blobs: () => BlobStore,
  events: ReadingEvents,
  stores: () => PackageStores,
  kick: () => void,
  peers: Pick<Peers, 'checkBinding'>,
) {
  async function appointmentOf(id: string) {
    const a = await models.Appointment.findById(id).lean<AppointmentDoc>().exec();
    if (!a) throw new AppError('NOT_FOUND', '预约不存在。');
    return a;
  }
  async function load(id: string) {
    const p = await models.Package.findById(id).lean<PackageDoc>().exec();
    if (!p) throw new AppError('NOT_FOUND', '卷宗包不存在。');
    return p;
  }
  /** A withdrawn package's files: its zip and the published (遮蔽) copies of its volumes. */
  async function removeBlobs(pkg: PackageDoc) {
    if (pkg.blobId) await blobs().delete(packageBucket, pkg.blobId);
    for (const v of pkg.volumes)
      if (v.publishedBlobId) await blobs().delete(volumeBucket, v.publishedBlobId);
  }

  /** Queues a build of `keyVersion`; the job's unique `_id` refuses a second one. */
  async function queue(
    pkg: PackageDoc,
    keyVersion: number,
    volumes?: (VolumeDoc & { supplementedAt?: Date })[],
    supplement?: string,
  ) {
    try {
      await models.BuildJob.create({
        _id: `${pkg._id}:${keyVersion}`,
        packageId: pkg._id,
        keyVersion,
      });
    } catch (err) {
      if (isDuplicateKey(err)) throw new AppError('CONFLICT', '卷宗包正在制作中。');
      throw err;
    }
    const set: Record<string, unknown> = { status: 'PREPARING', progress: 0, keyVersion };
    if (volumes)
      set.volumes = volumes.map((v) => ({
        volumeId: v._id,
        title: v.title,
        position: v.position,
        sizeBytes: v.sizeBytes,
        pageCount: v.pageCount,
        ...(v.supplementedAt ? { supplementedAt: v.supplementedAt } : {}),
      }));
    if (supplement) set.supplement = { keyVersion, text: supplement };
    await models.Package.updateOne({ _id: pkg._id }, { $set: set, $unset: { failure: 1 } }).exec();
    const queued = await load(pkg._id);
    await events.package(queued);
    kick();
    return queued;
  }

  return {
    load,
    appointmentOf,
    /**
     * Prosecutor: builds the appointment's package from the case's volumes, in their order.
     * After a FAILED build the same package is built again. After a revocation or expiry this
     * is 重新制作: a new package with new passwords replaces the old one (whose zip is removed,
     * so its link and passwords stay dead) and the appointment opens again, as long as the case
     * is still bound to the lawyer and the lawyer has not applied again since.
     */
    async publish(identity: Identity, appointmentId: string): Promise<PackageDoc> {
      const appointment = await appointmentOf(appointmentId);
      assertReviewer(identity, appointment.procuratorateId);
      if (!appointmentTypes[appointment.type as keyof typeof appointmentTypes]?.hasPackage)
        throw new AppError('BAD_USER_INPUT', '该类预约没有卷宗包。');
      const volumes = await caseVolumes(models, appointment.caseId, appointment.procuratorateId);
      if (volumes.length === 0)
        throw new AppError('BAD_USER_INPUT', '请先上传卷宗。', { field: 'volumes' });
      const previous = appointment.packageId ? await load(appointment.packageId) : null;
      if (previous && previous.status === 'FAILED')
        return queue(previous, previous.keyVersion + 1, volumes);
      if (previous && ['PREPARING', 'READY'].includes(effectiveStatus(previous)))
        throw new AppError('CONFLICT', '该预约已有卷宗包。');
      if (!(await peers.checkBinding(appointment.lawyerId, appointment.caseId)).bound)
        throw new AppError('CASE_NOT_BOUND', '该案件的绑定已被撤销，不能制作卷宗。');
      if (previous) {
        const [newer] = await readingOwned(models).readingsByLawyer.find(
          appointment.lawyerId,
          { caseId: appointment.caseId },
          { limit: 1 },
        );
        if (newer && newer._id !== appointment.sourceId)
          throw new AppError('CONFLICT', '律师已重新申请在线阅卷，请在新的申请中制作卷宗。', {
            applicationId: newer._id,
          });
      }
      const id = newId();
      if (
        !(await claimOnce(stores().publishes, `${appointmentId}:after:${previous?._id ?? 'none'}`, {
          packageId: id,
          at: new Date(),
        }))
      )
        throw new AppError('CONFLICT', '该预约已有卷宗包。');
      const pkg = await models.Package.create({
        _id: id,
        appointmentId,
        lawyerId: appointment.lawyerId,
        caseId: appointment.caseId,
        procuratorateId: appointment.procuratorateId,
        caseName: appointment.caseName,
        fileName: `${appointment.caseName}-卷宗-${id.slice(-8)}.zip`,
        keyVersion: 0,
      });
      await models.Appointment.updateOne(
        { _id: appointmentId },
        { $set: { packageId: id, status: 'WAITING_FOR_FILE' }, $unset: { closedReason: 1 } },
      ).exec();
      // The old package's grants answer 410 by its status; an expired one's zip goes now (a revoked one's went at revocation).
      if (previous && previous.status !== 'REVOKED') await removeBlobs(previous);
      return queue(pkg.toObject() as PackageDoc, 1, volumes);
    },

    /**
     * Prosecutor: 补充卷宗. Volumes uploaded to the case since its package was made are added
     * to the ready package, which is built again (so the zip has them; new passwords by SMS).
     * When it is ready the lawyer is told what was added (SMS and in-app), and the reader marks
     * the added volumes. The package stays the same: its audit and the lawyer's notes go on.
     */
    async supplement(identity: Identity, appointmentId: string): Promise<PackageDoc> {
      const appointment = await appointmentOf(appointmentId);
      assertReviewer(identity, appointment.procuratorateId);
      if (!appointment.packageId) throw new AppError('NOT_FOUND', '该预约尚未制作卷宗。');
      const pkg = await load(appointment.packageId);
      if (effectiveStatus(pkg) !== 'READY')
        throw new AppError('CONFLICT', '卷宗包制作完成后才能补充卷宗。', {
          status: effectiveStatus(pkg),
        });
      if (!(await peers.checkBinding(appointment.lawyerId, appointment.caseId)).bound)
        throw new AppError('CASE_NOT_BOUND', '该案件的绑定已被撤销，不能补充卷宗。');
      const all = await caseVolumes(models, appointment.caseId, appointment.procuratorateId);
      const packed = new Map(pkg.volumes.map((v) => [v.volumeId, v]));
      const added = all.filter((v) => !packed.has(v._id));
      if (added.length === 0)
        throw new AppError('BAD_USER_INPUT', '没有新上传的卷宗：请先在“案件与卷宗”上传补充的卷。', {
          field: 'volumes',
        });
      const at = new Date();
      // The packed volumes keep their snapshot (and when they were supplemented); new ones follow in order.
      const volumes = [
        ...pkg.volumes.map((v) => ({
          _id: v.volumeId,
          title: v.title,
          position: v.position,
          sizeBytes: v.sizeBytes,
          pageCount: v.pageCount,
          supplementedAt: v.supplementedAt ?? undefined,
        })),
        ...added.map((v, i) => ({
          ...v,
          position: Math.max(0, ...pkg.volumes.map((p) => p.position)) + i + 1,
          supplementedAt: at,
        })),
      ] as (VolumeDoc & { supplementedAt?: Date })[];
      const text = added.map((v) => `${v.title}（${v.pageCount}页）`).join('、');
      return queue(pkg, pkg.keyVersion + 1, volumes, text.slice(0, 200));
    },

    /** Prosecutor: revokes a package; downloads stop at once and the zip is removed. */
    async revoke(identity: Identity, id: string, reason: string): Promise<PackageDoc> {
      const pkg = await load(id);
      const p = assertReviewer(identity, pkg.procuratorateId);
      const why = typeof reason === 'string' ? reason.trim() : '';
      if (!why) throw new AppError('BAD_USER_INPUT', '请填写撤回理由。', { field: 'reason' });
      if (pkg.status === 'REVOKED') throw new AppError('CONFLICT', '卷宗包已撤回。');
      if (
        !(await claimOnce(stores().changes, `${id}:revoke`, { by: p.prosecutorId, at: new Date() }))
      )
        throw new AppError('CONFLICT', '卷宗包已撤回。');
      await models.Package.updateOne(
        { _id: id },
        { $set: { status: 'REVOKED', revokedAt: new Date(), revokeReason: why } },
      ).exec();
      await models.Appointment.updateOne(
        { _id: pkg.appointmentId },
        { $set: { status: 'CLOSED', closedReason: `卷宗已被检察院撤回：${why}` } },
      ).exec();
      await removeBlobs(pkg);
      const revoked = await load(id);
      await events.package(revoked);
      return revoked;
    },

    /**
     * The case binding of `lawyerId` was revoked (cases' REVOKED event): every open appointment
     * of the case closes with the reason, its download grants die and its package is withdrawn.
     * Idempotent (the bus delivers at least once): closed appointments are skipped and the
     * package's revocation is claimed once.
     */
    async endForRevokedBinding(lawyerId: string, caseId: string, reason: string): Promise<number> {
      const open = (
        await readingOwned(models).appointmentsByLawyer.find(lawyerId, { caseId })
      ).filter((a) => a.status !== 'CLOSED');
      const why = `案件绑定已撤销${reason ? `：${reason}` : ''}`;
      for (const appointment of open) {
        await models.Appointment.updateOne(
          { _id: appointment._id },
          { $set: { status: 'CLOSED', closedReason: why } },
        ).exec();
        if (!appointment.packageId) continue;
        await models.Grant.deleteMany({ packageId: appointment.packageId }).exec();
        const pkg = await load(appointment.packageId);
        if (
          pkg.status === 'REVOKED' ||
          !(await claimOnce(stores().changes, `${pkg._id}:revoke`, {
            by: 'system:binding-revoked',
            at: new Date(),
          }))
        )
          continue;
        await models.Package.updateOne(
          { _id: pkg._id },
          { $set: { status: 'REVOKED', revokedAt: new Date(), revokeReason: why } },
        ).exec();
        await removeBlobs(pkg);
        await events.package(await load(pkg._id), 'BINDING_REVOKED');
      }
      return open.length;
    },

    /**
     * Lost the SMS: after a fresh DOWNLOAD step-up the package is rebuilt under new passwords
     * (the document password is inside every PDF, so new passwords mean new PDFs); the old
     * zip, password and grants stop working, and both passwords go out again by SMS when ready.
     */
    async requestNewPasswords(identity: Identity, appointmentId: string): Promise<PackageDoc> {
      const appointment = await appointmentOf(appointmentId);
      assertOwner(identity, appointment.lawyerId);
      if (!appointment.packageId) throw new AppError('NOT_FOUND', '卷宗尚未制作。');
      const pkg = await load(appointment.packageId);
      if (effectiveStatus(pkg) !== 'READY')
        throw new AppError('CONFLICT', '卷宗包当前不可下载。', { status: effectiveStatus(pkg) });
      await requireStepUp(identity, 'DOWNLOAD', stores().stepUps, { always: true });
      const queued = await queue(pkg, pkg.keyVersion + 1);
      // New passwords after a fresh identity scan end a lock on the old ones (the scan is the stronger proof).
      if (pkg.lockedUntil)
        await models.Package.updateOne({ _id: pkg._id }, { $unset: { lockedUntil: 1 } }).exec();
      return pkg.lockedUntil ? load(pkg._id) : queued;
    },

    /**
     * Tells the lawyer of every ready package that expires within `leadHours` (once per package
     * and expiry time, claimed), so a lawyer who has not downloaded yet is not surprised. Answers
     * how many were announced.
     */
    async noticeExpiring(now: Date, leadHours: number): Promise<number> {
      const soon = await models.Package.find({
        status: 'READY',
        expiresAt: { $gt: now, $lte: new Date(now.getTime() + leadHours * 3_600_000) },
      })
        .lean<PackageDoc[]>()
        .exec();
      let told = 0;
      for (const pkg of soon) {
        if (
          !(await claimOnce(
            stores().changes,
            `${pkg._id}:expiring:${pkg.expiresAt!.toISOString()}`,
            { by: 'system:expiry', at: now },
          ))
        )
          continue;
        await events.expiring(pkg);
        told++;
      }
      return told;
    },

    /** Who may see a package: its lawyer, its procuratorate's prosecutors, administrators. */
    assertCanRead,
    requireLawyer: (identity: Identity) => requireRole(identity, 'LAWYER'),
  };
}
export type PackageService = ReturnType<typeof createPackageService>;
