import { ownedIndex } from '@yuejuan/runtime';
import type { DeviceDoc } from './device.model.ts';
import type { IdentityModels } from './index.ts';
import type { SessionDoc } from './session.model.ts';

const byModels = new WeakMap<object, ReturnType<typeof create>>();

const create = (models: IdentityModels) => ({
  /** A lawyer's verifier devices (个人中心 lists them). */
  devicesByLawyer: ownedIndex<DeviceDoc>({
    model: models.Device,
    owner: 'lawyerId',
    collection: 'lawyer_devices',
  }),
  /** The sessions of a lawyer or staff member (ended together on a password change or a device revocation). */
  sessionsBySubject: ownedIndex<SessionDoc & { _id: string }>({
    model: models.Session,
    owner: 'subjectId',
    collection: 'subject_sessions',
  }),
});

/**
 * The identity documents read by owner: MongoDB answers them from the models' indexes, FerretDB
 * from id sets kept by `_id` (runtime ownedIndex). One per set of models, so its one-time checks
 * run once per process.
 */
export function identityOwned(models: IdentityModels): ReturnType<typeof create> {
  let owned = byModels.get(models.Device);
  if (!owned) byModels.set(models.Device, (owned = create(models)));
  return owned;
}
