import { AppError, type Identity } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { DownloadDoc, PackageDoc } from '../models/index.ts';
import type { ReadingServices } from '../services/index.ts';
import { effectiveStatus } from '../services/package.service.ts';
import { readable } from './Query.ts';

/** The audits of a package: its procuratorate's prosecutors and administrators, not the lawyer. */
function assertAuditor(identity: Identity, p: PackageDoc, message = '下载记录仅供检察人员查看。') {
  if (
    identity.role !== 'ADMINISTRATOR' &&
    !(identity.role === 'PROSECUTOR' && identity.procuratorateId === p.procuratorateId)
  )
    throw new AppError('FORBIDDEN', message);
}

export const CaseFilePackage = ({ reader }: ReadingServices) => ({
  __resolveReference: ({ id }: { id: string }, ctx: Context) =>
    readable(ctx, (i) => ctx.loaders.package.load(i), id),
  id: (p: PackageDoc) => p._id,
  status: (p: PackageDoc) => effectiveStatus(p),
  expiresAt: (p: PackageDoc) => p.expiresAt?.toISOString() ?? null,
  lockedUntil: (p: PackageDoc) =>
    p.lockedUntil && p.lockedUntil > new Date() ? p.lockedUntil.toISOString() : null,
  volumes: (p: PackageDoc) =>
    p.volumes.map((v) => ({
      _id: v.volumeId,
      title: v.title,
      position: v.position,
      sizeBytes: v.sizeBytes,
      pageCount: v.pageCount,
      supplementedAt: v.supplementedAt ?? null,
      redactions: v.redactions ?? 0,
    })),
  sizeBytes: (p: PackageDoc) => (p.status === 'PREPARING' ? null : (p.sizeBytes ?? null)),
  sha256: (p: PackageDoc) => (p.status === 'PREPARING' ? null : (p.sha256 ?? null)),
  /** The download audit: the procuratorate's prosecutors and administrators, not the lawyer. */
  downloads: async (p: PackageDoc, _: unknown, { identity, loaders }: Context) => {
    assertAuditor(identity, p);
    return loaders.downloads.load(p._id);
  },
  /** Who read it online: the same readers as the download audit. */
  readingActivity: async (p: PackageDoc, _: unknown, { identity, loaders }: Context) => {
    assertAuditor(identity, p, '阅卷记录仅供检察人员查看。');
    await reader.flush();
    return reader.activity(p, await loaders.pageViews.load(p._id));
  },
});

export const DownloadRecord = {
  id: (d: DownloadDoc) => d._id,
  lawyer: (d: DownloadDoc) => ({ __typename: 'Lawyer', id: d.lawyerId }),
  startedAt: (d: DownloadDoc) => d.startedAt.toISOString(),
};
