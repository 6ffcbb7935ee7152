import { byIdLoader, ownedLoader, type ServiceContext } from '@yuejuan/runtime';
import type {
  AppointmentDoc,
  DownloadDoc,
  PackageDoc,
  PageViewDoc,
  ReadingApplicationDoc,
  ReadingModels,
  VolumeDoc,
} from './models/index.ts';
import { readingOwned } from './models/index.ts';

/** Per-request loaders: every entity lookup of a request goes through one of these. */
export function createLoaders(models: ReadingModels) {
  const owned = readingOwned(models);
  const pageViews = ownedLoader<PageViewDoc>(owned.pageViewsByPackage);
  return {
    application: byIdLoader<ReadingApplicationDoc>(models.ReadingApplication),
    appointment: byIdLoader<AppointmentDoc>(models.Appointment),
    package: byIdLoader<PackageDoc>(models.Package),
    volume: byIdLoader<VolumeDoc>(models.Volume),
    /** A list of packages' audits, newest first: each package's read once per request. */
    downloads: ownedLoader<DownloadDoc>(owned.downloadsByPackage),
    /** Their page views, in time order. */
    pageViews: {
      load: async (packageId: string): Promise<PageViewDoc[]> =>
        [...(await pageViews.load(packageId))].sort((a, b) => +a.at - +b.at),
    },
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
export type Context = ServiceContext<Loaders>;
