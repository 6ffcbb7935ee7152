import type { ServiceContext } from '@yuejuan/runtime';
import { byIdLoader, groupLoader } from '@yuejuan/runtime';
import type { DeviceDoc, IdentityModels, LawyerDoc, ProsecutorDoc } from './models/index.ts';
import { currentClient } from './services/client.ts';

/**
 * Per-request loaders (every entity lookup of a request goes through one of these), and the
 * request's client (IP, user agent) as the gateway forwarded it, captured when the context is made.
 */
export function createLoaders(models: IdentityModels) {
  return {
    lawyer: byIdLoader<LawyerDoc>(models.Lawyer),
    prosecutor: byIdLoader<ProsecutorDoc>(models.Prosecutor),
    devicesOfLawyer: groupLoader<DeviceDoc>(models.Device, 'lawyerId', { activatedAt: -1 }),
    client: currentClient(),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
export type Context = ServiceContext<Loaders>;
