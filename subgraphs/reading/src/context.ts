import { byIdLoader, groupLoader, type ServiceContext } from '@yuejuan/runtime';
import type {
  AppointmentDoc,
  DownloadDoc,
  PackageDoc,
  PageViewDoc,
  ReadingApplicationDoc,
  ReadingModels,
  VolumeDoc,
} from './models/index.ts';

/** Per-request loaders: every entity lookup of a request goes through one of these. */
export function createLoaders(models: ReadingModels) {
  return {
    application: byIdLoader<ReadingApplicationDoc>(models.ReadingApplication),
    appointment: byIdLoader<AppointmentDoc>(models.Appointment),
    package: byIdLoader<PackageDoc>(models.Package),
    volume: byIdLoader<VolumeDoc>(models.Volume),
    /** A list of packages' audits: one query for all of them, not one per package. */
    downloads: groupLoader<DownloadDoc>(models.Download, 'packageId', { _id: -1 }),
    pageViews: groupLoader<PageViewDoc>(models.PageView, 'packageId', { at: 1 }),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
export type Context = ServiceContext<Loaders>;
