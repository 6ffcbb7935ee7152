import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Collection } from 'mongodb';
import {
  AppError,
  claimOnce,
  requireStepUp,
  type Identity,
  type StepUpClaim,
} from '@yuejuan/runtime';
import type { AppointmentDoc, GrantDoc, PackageDoc, ReadingModels } from '../models/index.ts';
import { assertOwner } from './access.ts';
import { effectiveStatus, type PackageService } from './package.service.ts';
import type { Peers } from './peers.ts';
import { verifyPassword } from './secrets.ts';

export interface DownloadSettings {
  maxAttempts: number;
  lockMinutes: number;
  grantTtlSeconds: number;
}

export interface DownloadStores {
  /** `${packageId}:${keyVersion}:${round}:${n}`: the n-th wrong password of a round, counted by inserts. */
  attempts: Collection<{ _id: string; at: Date; sessionId: string }>;
  stepUps: Collection<StepUpClaim>;
}

const grantKey = (token: string) => createHash('sha256').update(token).digest('hex');

/** Refuses a package that cannot be downloaded now, with the reason as the code. */
export function assertDownloadable(pkg: PackageDoc, now = new Date()): void {
  const status = effectiveStatus(pkg, now);
  if (status === 'REVOKED') throw new AppError('PACKAGE_REVOKED', '卷宗包已被撤回。');
  if (status === 'EXPIRED') throw new AppError('PACKAGE_EXPIRED', '卷宗包已过期。');
  if (status !== 'READY') throw new AppError('PACKAGE_NOT_READY', '卷宗尚未制作完成。');
}

/** Flow 6: receipt, step-up, download password (limited), then a short-lived grant bound to the session. */
export function createDownloadService(
  models: ReadingModels,
  packages: PackageService,
  peers: Pick<Peers, 'checkBinding'>,
  stores: () => DownloadStores,
  settings: DownloadSettings,
) {
  /** The case must still be bound to the lawyer (a prosecutor may have revoked it since approval). */
  async function assertStillBound(lawyerId: string, caseId: string) {
    const check = await peers.checkBinding(lawyerId, caseId);
    if (!check.bound) throw new AppError('CASE_NOT_BOUND', '该案件的绑定已被撤销，无法下载卷宗。');
  }

  async function packageOf(appointment: AppointmentDoc) {
    if (!appointment.packageId) throw new AppError('PACKAGE_NOT_READY', '卷宗尚未制作完成。');
    return packages.load(appointment.packageId);
  }

  /** A fresh DOWNLOAD step-up of this session that nobody consumed yet (checked before the password, consumed after it). */
  async function hasFreshStepUp(identity: Extract<Identity, { role: 'LAWYER' }>) {
    const fresh = (identity.stepUps ?? []).filter(
      (g) => g.purpose === 'DOWNLOAD' && Date.now() - Date.parse(g.confirmedAt) <= 300_000,
    );
    if (fresh.length === 0) return false;
    const used = await stores().stepUps.countDocuments({ _id: { $in: fresh.map((g) => g.id) } });
    return used < fresh.length;
  }

  /** Counts one wrong password by inserting the next free slot of the round; the max-th slot locks. */
  async function recordWrong(pkg: PackageDoc, sessionId: string): Promise<never> {
    const round = pkg.attemptRound ?? 0;
    for (let n = 1; n <= settings.maxAttempts; n++) {
      if (
        !(await claimOnce(stores().attempts, `${pkg._id}:${pkg.keyVersion}:${round}:${n}`, {
          at: new Date(),
          sessionId,
        }))
      )
        continue;
      if (n < settings.maxAttempts)
        throw new AppError(
          'WRONG_PASSWORD',
          `下载密码错误，还可尝试 ${settings.maxAttempts - n} 次。`,
          { attemptsLeft: settings.maxAttempts - n },
        );
      const lockedUntil = new Date(Date.now() + settings.lockMinutes * 60_000);
      await models.Package.updateOne(
        { _id: pkg._id },
        { $set: { lockedUntil, attemptRound: round + 1 } },
      ).exec();
      throw new AppError(
        'PACKAGE_LOCKED',
        `下载密码错误次数过多，请于 ${settings.lockMinutes} 分钟后再试。`,
        { lockedUntil: lockedUntil.toISOString() },
      );
    }
    // Every slot of the round is taken: a concurrent attempt has just locked it.
    throw new AppError('PACKAGE_LOCKED', '下载密码错误次数过多，请稍后再试。');
  }

  return {
    /** 确认回执: recorded once (the first time counts); only once the package is ready. */
    async acknowledgeReceipt(identity: Identity, appointmentId: string): Promise<AppointmentDoc> {
      const appointment = await packages.appointmentOf(appointmentId);
      assertOwner(identity, appointment.lawyerId);
      assertDownloadable(await packageOf(appointment));
      if (!appointment.receiptAcknowledgedAt)
        await models.Appointment.updateOne(
          { _id: appointmentId },
          { $set: { receiptAcknowledgedAt: new Date() } },
        ).exec();
      return (await models.Appointment.findById(appointmentId).lean<AppointmentDoc>().exec())!;
    },

    /** 卷宗下载密码 after receipt and a fresh DOWNLOAD step-up: a grant for this session only. */
    async unlock(identity: Identity, appointmentId: string, password: string) {
      const appointment = await packages.appointmentOf(appointmentId);
      const lawyer = assertOwner(identity, appointment.lawyerId);
      const pkg = await packageOf(appointment);
      assertDownloadable(pkg);
      if (!appointment.receiptAcknowledgedAt)
        throw new AppError('RECEIPT_REQUIRED', '请先确认回执。');
      if (pkg.lockedUntil && pkg.lockedUntil > new Date())
        throw new AppError('PACKAGE_LOCKED', '下载密码错误次数过多，请稍后再试。', {
          lockedUntil: pkg.lockedUntil.toISOString(),
        });
      if (!(await hasFreshStepUp(lawyer)))
        throw new AppError('STEP_UP_REQUIRED', undefined, { purpose: 'DOWNLOAD' });
      await assertStillBound(lawyer.lawyerId, appointment.caseId);
      if (
        typeof password !== 'string' ||
        !pkg.downloadPasswordHash ||
        !(await verifyPassword(password, pkg.downloadPasswordHash))
      )
        return recordWrong(pkg, lawyer.sessionId);
      await requireStepUp(identity, 'DOWNLOAD', stores().stepUps, { always: true });
      await models.Package.updateOne(
        { _id: pkg._id },
        { $set: { attemptRound: (pkg.attemptRound ?? 0) + 1 } },
      ).exec();
      const token = randomBytes(32).toString('base64url');
      const downloadKey = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + settings.grantTtlSeconds * 1000);
      await models.Grant.create({
        _id: grantKey(token),
        packageId: pkg._id,
        keyVersion: pkg.keyVersion,
        lawyerId: lawyer.lawyerId,
        sessionId: lawyer.sessionId,
        expiresAt,
        keyHash: grantKey(downloadKey),
      });
      return {
        url: `/downloads/${token}`,
        downloadKey,
        expiresAt: expiresAt.toISOString(),
        fileName: pkg.fileName,
        sizeBytes: pkg.sizeBytes!,
        sha256: pkg.sha256!,
      };
    },

    /**
     * The grant of a download URL, if it is unexpired, for the package's current keys, and the
     * caller is the session that unlocked it, or presents the grant's own download key (a
     * browser-managed download, which cannot send the session's Authorization header: the key
     * opens this one download and nothing else).
     */
    async resolveGrant(
      identity: Identity,
      token: string,
      downloadKey?: string,
    ): Promise<{ grant: GrantDoc; pkg: PackageDoc }> {
      if (identity.role === 'ANONYMOUS' && !downloadKey) throw new AppError('UNAUTHENTICATED');
      const grant = await models.Grant.findById(grantKey(token)).lean<GrantDoc>().exec();
      if (!grant) throw new AppError('NOT_FOUND', '下载链接无效。');
      const keyed =
        !!downloadKey &&
        !!grant.keyHash &&
        timingSafeEqual(Buffer.from(grantKey(downloadKey)), Buffer.from(grant.keyHash));
      const sameSession =
        identity.role === 'LAWYER' &&
        identity.sessionId === grant.sessionId &&
        identity.lawyerId === grant.lawyerId;
      if (!keyed && !sameSession)
        throw new AppError('FORBIDDEN', '下载链接仅限申请下载的会话使用。');
      if (grant.expiresAt <= new Date())
        throw new AppError('GONE', '下载链接已过期，请重新输入下载密码。');
      const pkg = await packages.load(grant.packageId);
      assertDownloadable(pkg);
      if (pkg.keyVersion !== grant.keyVersion)
        throw new AppError('GONE', '卷宗包已更新，请重新输入下载密码。');
      await assertStillBound(grant.lawyerId, pkg.caseId);
      return { grant, pkg };
    },
  };
}
export type DownloadService = ReturnType<typeof createDownloadService>;
