import type { ServiceContext } from '@yuejuan/runtime';
import { byIdLoader, groupLoader } from '@yuejuan/runtime';
import type { DeviceDoc, IdentityModels, LawyerDoc, ProsecutorDoc } from './models/index.ts';
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
    devicesOfLawyer: groupLoader<DeviceDoc>(models.Device, 'lawyerId', { activatedAt: -1 }),
    prosecutorsOfProcuratorate: groupLoader<ProsecutorDoc>(models.Prosecutor, 'procuratorateId', {
      name: 1,
    }),
    client: header ? readClient(header) : unknownClient,
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
export type Context = ServiceContext<Loaders>;
