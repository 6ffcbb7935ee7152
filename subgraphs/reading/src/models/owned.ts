import { ownedIndex } from '@yuejuan/runtime';
import type { AppointmentDoc } from './appointment.model.ts';
import type { DownloadDoc } from './download.model.ts';
import type { ReadingModels } from './index.ts';
import type { PageViewDoc } from './reader.model.ts';
import type { VolumeDoc } from './volume.model.ts';
import type { ReadingApplicationDoc } from './reading-application.model.ts';
import { bookableTypes } from './reception-slot.model.ts';

/** Reading applications the procuratorate still acts on: to review, and approved (files to prepare). */
export const openReadingStatuses = ['SUBMITTED', 'APPROVED'];

const byModels = new WeakMap<object, ReturnType<typeof create>>();

const create = (models: ReadingModels) => ({
  /** A lawyer's reading applications (已绑定案件, 我的阅卷申请, the one per case check). */
  readingsByLawyer: ownedIndex<ReadingApplicationDoc>({
    model: models.ReadingApplication,
    owner: 'lawyerId',
    collection: 'lawyer_readings',
  }),
  /** A procuratorate's open applications: its queue (审核队列, 卷宗制作). */
  openByProcuratorate: ownedIndex<ReadingApplicationDoc>({
    model: models.ReadingApplication,
    owner: 'procuratorateId',
    collection: 'procuratorate_open_readings',
    member: { field: 'status', values: openReadingStatuses },
  }),
  /** All of a procuratorate's applications (the queue's other statuses). */
  readingsByProcuratorate: ownedIndex<ReadingApplicationDoc>({
    model: models.ReadingApplication,
    owner: 'procuratorateId',
    collection: 'procuratorate_readings',
  }),
  /** A lawyer's appointments (我的预约, the open ones of a case when its binding is revoked). */
  appointmentsByLawyer: ownedIndex<AppointmentDoc>({
    model: models.Appointment,
    owner: 'lawyerId',
    collection: 'lawyer_appointments',
  }),
  /** A procuratorate's bookings (现场阅卷, 听取意见): the console's 预约 queue. */
  bookingsByProcuratorate: ownedIndex<AppointmentDoc>({
    model: models.Appointment,
    owner: 'procuratorateId',
    collection: 'procuratorate_bookings',
    member: { field: 'type', values: [...bookableTypes] },
  }),
  /** A case's volumes (卷宗管理, publishing a package, 补充卷宗). */
  volumesByCase: ownedIndex<VolumeDoc>({
    model: models.Volume,
    owner: 'caseId',
    collection: 'case_volumes',
  }),
  /** A package's download audit (the prosecutor's 下载记录). */
  downloadsByPackage: ownedIndex<DownloadDoc>({
    model: models.Download,
    owner: 'packageId',
    collection: 'package_downloads',
  }),
  /** A package's page views (the prosecutor's 阅卷记录). */
  pageViewsByPackage: ownedIndex<PageViewDoc>({
    model: models.PageView,
    owner: 'packageId',
    collection: 'package_page_views',
  }),
});

/**
 * Reading applications, appointments, downloads and page views by owner: MongoDB answers from the
 * models' indexes, FerretDB from id sets kept by `_id` (runtime ownedIndex). One per set of
 * models, so its one-time checks run once.
 */
export function readingOwned(models: ReadingModels): ReturnType<typeof create> {
  let owned = byModels.get(models.ReadingApplication);
  if (!owned) byModels.set(models.ReadingApplication, (owned = create(models)));
  return owned;
}
