import type { ServiceContext } from '@yuejuan/runtime';
import { byIdLoader, groupLoader, ownedLoader } from '@yuejuan/runtime';
import {
  identityOwned,
  type DeviceDoc,
  type IdentityModels,
  type LawyerDoc,
  type ProsecutorDoc,
} from './models/index.ts';
import { readClient, unknownClient } from './services/client.ts';

/**
 * Per-request loaders (every entity lookup of a request goes through one of these), and the
 * request's client (IP, user agent) as the gateway forwarded it in the request's headers.
 */
export function createLoaders(
  models: IdentityModels,
  header?: (name: string) => string | undefined,
) {
  return {
    lawyer: byIdLoader<LawyerDoc>(models.Lawyer),
    prosecutor: byIdLoader<ProsecutorDoc>(models.Prosecutor),
    /** A lawyer's devices by their owner index (MongoDB: `{lawyerId}`; FerretDB: an id set). */
    devicesOfLawyer: ownedLoader<DeviceDoc>(identityOwned(models).devicesByLawyer),
    prosecutorsOfProcuratorate: groupLoader<ProsecutorDoc>(models.Prosecutor, 'procuratorateId', {
      name: 1,
    }),
    client: header ? readClient(header) : unknownClient,
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
export type Context = ServiceContext<Loaders>;
