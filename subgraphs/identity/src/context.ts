import type { ServiceContext } from '@yuejuan/runtime';
import { byIdLoader } from '@yuejuan/runtime';
import type { IdentityModels, LawyerDoc, ProsecutorDoc } from './models/index.ts';

/** Per-request loaders: every entity lookup of a request goes through one of these. */
export function createLoaders(models: IdentityModels) {
  return { lawyer: byIdLoader<LawyerDoc>(models.Lawyer), prosecutor: byIdLoader<ProsecutorDoc>(models.Prosecutor) };
}
export type Loaders = ReturnType<typeof createLoaders>;
export type Context = ServiceContext<Loaders>;
