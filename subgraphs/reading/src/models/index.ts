import type { Connection } from 'mongoose';
import { appointmentModel } from './appointment.model.ts';
import { downloadModel, grantModel } from './download.model.ts';
import { buildJobModel, packageModel } from './package.model.ts';
import {
  pageViewModel,
  pageWordsModel,
  readerGrantModel,
  readingNoteModel,
  redactionModel,
  volumeTextModel,
} from './reader.model.ts';
import { readingApplicationModel } from './reading-application.model.ts';
import { receptionSlotModel } from './reception-slot.model.ts';
import { volumeModel } from './volume.model.ts';

/** The reading subgraph's models, registered on its own connection. */
export function readingModels(connection: Connection) {
  return {
    ReadingApplication: readingApplicationModel(connection),
    Appointment: appointmentModel(connection),
    Volume: volumeModel(connection),
    Package: packageModel(connection),
    BuildJob: buildJobModel(connection),
    Download: downloadModel(connection),
    Grant: grantModel(connection),
    ReceptionSlot: receptionSlotModel(connection),
    ReaderGrant: readerGrantModel(connection),
    VolumeText: volumeTextModel(connection),
    PageWords: pageWordsModel(connection),
    PageView: pageViewModel(connection),
    ReadingNote: readingNoteModel(connection),
    Redaction: redactionModel(connection),
  };
}
export type ReadingModels = ReturnType<typeof readingModels>;
export { openReadingStatuses, readingOwned } from './owned.ts';
export type { ReadingApplicationDoc } from './reading-application.model.ts';
export type { AppointmentDoc, AppointmentType } from './appointment.model.ts';
export { appointmentTypes } from './appointment.model.ts';
export type { VolumeDoc } from './volume.model.ts';
export {
  bookableTypes,
  type BookableType,
  type ReceptionSlotDoc,
  type ReceptionSlotView,
} from './reception-slot.model.ts';
export type { PackageDoc, BuildJobDoc } from './package.model.ts';
export type { DownloadDoc, GrantDoc } from './download.model.ts';
export {
  noteKinds,
  type PageViewDoc,
  type ReaderGrantDoc,
  type ReadingNoteDoc,
  type RedactionDoc,
  redactionCategories,
  type VolumeTextDoc,
} from './reader.model.ts';
