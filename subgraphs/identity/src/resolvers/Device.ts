import type { DeviceDoc } from '../models/index.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const Device = {
  id: (d: DeviceDoc) => d._id,
  activatedAt: (d: DeviceDoc) => d.activatedAt.toISOString(),
  lastUsedAt: (d: DeviceDoc) => iso(d.lastUsedAt),
  revokedAt: (d: DeviceDoc) => iso(d.revokedAt),
};
