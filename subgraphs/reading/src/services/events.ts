import type { EventBus } from '@yuejuan/runtime';
import {
  appointmentTypes,
  type AppointmentDoc,
  type PackageDoc,
  type ReadingApplicationDoc,
} from '../models/index.ts';

export const readingChangedTopic = 'reading.readingApplication.changed';
export const packageChangedTopic = 'reading.package.changed';
export const packageExpiringTopic = 'reading.package.expiring';
export const appointmentChangedTopic = 'reading.appointment.changed';

/** Payload of `reading.readingApplication.changed`: keys only. */
export interface ReadingChangedPayload extends Record<string, unknown> {
  applicationId: string;
  lawyerId: string;
  procuratorateId: string;
  caseId: string;
  status: string;
  reason?: string;
  /** 案件名称, so the lawyer's message names the case. */
  caseName?: string;
}

/** Payload of `reading.package.changed`: keys and progress, never a password. */
export interface PackageChangedPayload extends Record<string, unknown> {
  packageId: string;
  appointmentId: string;
  lawyerId: string;
  procuratorateId: string;
  status: string;
  progress: number;
  /** For a revoked package: why, and whether it went with the case binding. */
  reason?: string;
  cause?: 'BINDING_REVOKED';
  caseName?: string;
  /** A ready package that now includes 补充卷宗: what was added (titles and pages). */
  supplement?: string;
}

/** Payload of `reading.package.expiring`: a ready package the lawyer has not long left to download. */
export interface PackageExpiringPayload extends Record<string, unknown> {
  packageId: string;
  appointmentId: string;
  lawyerId: string;
  procuratorateId: string;
  caseName?: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** What happened to a booked appointment (现场阅卷, 听取意见). */
export type AppointmentChange =
  'REQUESTED' | 'CONFIRMED' | 'RESCHEDULED' | 'DECLINED' | 'CANCELLED';

/** Payload of `reading.appointment.changed`: keys and what the lawyer's message needs, never a secret. */
export interface AppointmentChangedPayload extends Record<string, unknown> {
  appointmentId: string;
  lawyerId: string;
  procuratorateId: string;
  status: string;
  change: AppointmentChange;
  /** 现场阅卷 or 听取意见. */
  appointmentType: string;
  caseName: string;
  /** ISO 8601. */
  startsAt?: string;
  location?: string;
  reason?: string;
}

/** Publishers of the reading subgraph's events. */
export function readingEvents(bus: () => EventBus) {
  return {
    appointment: (a: AppointmentDoc, change: AppointmentChange, reason?: string) =>
      bus().publish<AppointmentChangedPayload>(appointmentChangedTopic, {
        appointmentId: a._id,
        lawyerId: a.lawyerId,
        procuratorateId: a.procuratorateId,
        status: a.status,
        change,
        appointmentType: appointmentTypes[a.type as keyof typeof appointmentTypes]?.label ?? a.type,
        caseName: a.caseName,
        ...(a.startsAt ? { startsAt: a.startsAt.toISOString() } : {}),
        ...(a.location ? { location: a.location } : {}),
        ...(reason ? { reason } : {}),
      }),
    expiring: (p: PackageDoc) =>
      bus().publish<PackageExpiringPayload>(packageExpiringTopic, {
        packageId: p._id,
        appointmentId: p.appointmentId,
        lawyerId: p.lawyerId,
        procuratorateId: p.procuratorateId,
        caseName: p.caseName ?? undefined,
        expiresAt: p.expiresAt!.toISOString(),
      }),
    application: (a: ReadingApplicationDoc, reason?: string) =>
      bus().publish<ReadingChangedPayload>(readingChangedTopic, {
        applicationId: a._id,
        lawyerId: a.lawyerId,
        procuratorateId: a.procuratorateId,
        caseId: a.caseId,
        status: a.status,
        caseName: a.caseName,
        ...(reason ? { reason } : {}),
      }),
    package: (
      p: Pick<
        PackageDoc,
        '_id' | 'appointmentId' | 'lawyerId' | 'procuratorateId' | 'status' | 'progress'
      > & {
        revokeReason?: string | null;
        caseName?: string | null;
        keyVersion?: number;
        supplement?: { keyVersion: number; text: string } | null;
      },
      cause?: 'BINDING_REVOKED',
    ) =>
      bus().publish<PackageChangedPayload>(packageChangedTopic, {
        packageId: p._id,
        appointmentId: p.appointmentId,
        lawyerId: p.lawyerId,
        procuratorateId: p.procuratorateId,
        status: p.status,
        progress: p.progress,
        ...(p.status === 'REVOKED'
          ? {
              reason: p.revokeReason ?? undefined,
              caseName: p.caseName ?? undefined,
              ...(cause ? { cause } : {}),
            }
          : {}),
        ...(p.status === 'READY' && p.supplement && p.supplement.keyVersion === p.keyVersion
          ? { supplement: p.supplement.text, caseName: p.caseName ?? undefined }
          : {}),
      }),
  };
}
export type ReadingEvents = ReturnType<typeof readingEvents>;
