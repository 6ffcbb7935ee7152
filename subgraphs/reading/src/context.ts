import { byIdLoader, type ServiceContext } from '@yuejuan/runtime';
import type {
  AppointmentDoc,
  PackageDoc,
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
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
export type Context = ServiceContext<Loaders>;
