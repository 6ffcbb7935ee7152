import type { ActivationDoc } from '../models/index.ts';
import type { IdentityServices } from '../services/index.ts';

export const Activation = ({ policy }: IdentityServices) => ({
  id: (a: ActivationDoc) => a._id,
  failureReason: (a: ActivationDoc) => a.failureReason ?? null,
  supportHotline: () => policy.supportHotline,
  expiresAt: (a: ActivationDoc) => a.expiresAt.toISOString(),
});
