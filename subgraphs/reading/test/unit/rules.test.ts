// The reading subgraph's pure rules, without a database: when a package counts as expired, and
// when an application still holds its case (so the lawyer cannot apply again).
import { describe, expect, it } from 'vitest';
import type { AppointmentDoc, PackageDoc, ReadingApplicationDoc } from '../../src/models/index.ts';
import { applicationHoldsCase } from '../../src/services/application.service.ts';
import { effectiveStatus } from '../../src/services/package.service.ts';

const now = new Date('2026-12-05T10:00:00Z');
const pkg = (status: string, expiresAt?: Date) =>
  ({ _id: 'p1', status, expiresAt }) as unknown as PackageDoc;
const app = (status: string, appointmentId?: string) =>
  ({ _id: 'a1', status, appointmentId }) as unknown as ReadingApplicationDoc;
const appointment = (status: string, packageId?: string) =>
  ({ _id: 'm1', status, packageId }) as unknown as AppointmentDoc;

describe('effectiveStatus', () => {
  it('is EXPIRED for a READY package past its expiry, and the stored status otherwise', () => {
    expect(effectiveStatus(pkg('READY', new Date('2026-12-05T09:59:59Z')), now)).toBe('EXPIRED');
    expect(effectiveStatus(pkg('READY', now), now)).toBe('EXPIRED');
    expect(effectiveStatus(pkg('READY', new Date('2026-12-05T10:00:01Z')), now)).toBe('READY');
    expect(effectiveStatus(pkg('REVOKED', new Date('2026-12-01T00:00:00Z')), now)).toBe('REVOKED');
    expect(effectiveStatus(pkg('PREPARING'), now)).toBe('PREPARING');
  });
});

describe('applicationHoldsCase', () => {
  const find = (a: AppointmentDoc | null, p: PackageDoc | null) => ({
    appointment: async () => a,
    package: async () => p,
  });
  const future = new Date(Date.now() + 86_400_000);
  const past = new Date(Date.now() - 1000);

  it('holds while pending, and while approved with the appointment open and the package live', async () => {
    expect(await applicationHoldsCase(app('SUBMITTED'), find(null, null))).toBe(true);
    expect(
      await applicationHoldsCase(
        app('APPROVED', 'm1'),
        find(appointment('WAITING_FOR_FILE'), null),
      ),
    ).toBe(true);
    expect(
      await applicationHoldsCase(
        app('FILE_READY', 'm1'),
        find(appointment('FILE_READY', 'p1'), pkg('READY', future)),
      ),
    ).toBe(true);
    expect(
      await applicationHoldsCase(
        app('DOWNLOADED', 'm1'),
        find(appointment('FILE_READY', 'p1'), pkg('PREPARING')),
      ),
    ).toBe(true);
  });

  it('lets go after a rejection, a closed appointment, or a package expired or revoked', async () => {
    expect(await applicationHoldsCase(app('REJECTED'), find(null, null))).toBe(false);
    expect(
      await applicationHoldsCase(app('APPROVED', 'm1'), find(appointment('CLOSED'), null)),
    ).toBe(false);
    expect(
      await applicationHoldsCase(
        app('FILE_READY', 'm1'),
        find(appointment('FILE_READY', 'p1'), pkg('READY', past)),
      ),
    ).toBe(false);
    expect(
      await applicationHoldsCase(
        app('FILE_READY', 'm1'),
        find(appointment('FILE_READY', 'p1'), pkg('REVOKED')),
      ),
    ).toBe(false);
    expect(await applicationHoldsCase(app('APPROVED', 'm1'), find(null, null))).toBe(false);
  });
});
