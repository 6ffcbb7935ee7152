import { ownedIndex } from '@yuejuan/runtime';
import type { ReadingModels } from './index.ts';
import type { ReadingApplicationDoc } from './reading-application.model.ts';

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
});

/**
 * Reading applications by owner: MongoDB answers from the model's indexes, FerretDB from id sets
 * kept by `_id` (runtime ownedIndex). One per set of models, so its one-time checks run once.
 */
export function readingOwned(models: ReadingModels): ReturnType<typeof create> {
  let owned = byModels.get(models.ReadingApplication);
  if (!owned) byModels.set(models.ReadingApplication, (owned = create(models)));
  return owned;
}
