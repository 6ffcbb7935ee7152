import type { Context } from '../context.ts';
import type {
  AppointmentDoc,
  ReadingApplicationDoc,
  ReceptionSlotDoc,
  ReceptionSlotView,
} from '../models/index.ts';
import { applicationHoldsCase } from '../services/application.service.ts';
import type { VolumeView } from './parents.ts';
import type { ReadingServices } from '../services/index.ts';
import { readable } from './Query.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const lawyer = (d: { lawyerId: string }) => ({ __typename: 'Lawyer', id: d.lawyerId });
const caseRef = (d: { caseId: string }) => ({ __typename: 'Case', id: d.caseId });

export const ReadingApplication = {
  __resolveReference: ({ id }: { id: string }, ctx: Context) =>
    readable(ctx, (i) => ctx.loaders.application.load(i), id),
  id: (a: ReadingApplicationDoc) => a._id,
  lawyer,
  case: caseRef,
  noticeAcceptance: (a: ReadingApplicationDoc) => ({
    version: a.noticeAcceptance.version,
    acceptedAt: a.noticeAcceptance.acceptedAt.toISOString(),
  }),
  undertakingAcceptance: (a: ReadingApplicationDoc) => ({
    version: a.undertakingAcceptance.version,
    acceptedAt: a.undertakingAcceptance.acceptedAt.toISOString(),
  }),
  submittedAt: (a: ReadingApplicationDoc) => a.submittedAt.toISOString(),
  decidedAt: (a: ReadingApplicationDoc) => iso(a.decidedAt),
  appointment: (a: ReadingApplicationDoc, _: unknown, { loaders }: Context) =>
    a.appointmentId ? loaders.appointment.load(a.appointmentId) : null,
  holdsCase: (a: ReadingApplicationDoc, _: unknown, { loaders }: Context) =>
    applicationHoldsCase(a, {
      appointment: (id) => loaders.appointment.load(id),
      package: (id) => loaders.package.load(id),
    }),
};

export const Appointment = {
  __resolveReference: ({ id }: { id: string }, ctx: Context) =>
    readable(ctx, (i) => ctx.loaders.appointment.load(i), id),
  id: (a: AppointmentDoc) => a._id,
  lawyer,
  case: caseRef,
  receiptAcknowledgedAt: (a: AppointmentDoc) => iso(a.receiptAcknowledgedAt),
  createdAt: (a: AppointmentDoc) => a.createdAt.toISOString(),
  package: (a: AppointmentDoc, _: unknown, { loaders }: Context) =>
    a.packageId ? loaders.package.load(a.packageId) : null,
  startsAt: (a: AppointmentDoc) => iso(a.startsAt),
  endsAt: (a: AppointmentDoc) => iso(a.endsAt),
};

export const ReceptionSlot = {
  id: (s: ReceptionSlotDoc) => s._id,
  startsAt: (s: ReceptionSlotDoc) => s.startsAt.toISOString(),
  endsAt: (s: ReceptionSlotDoc) => s.endsAt.toISOString(),
  available: (s: ReceptionSlotView) => Math.max(0, s.capacity - s.booked),
};

export const Volume = (services: ReadingServices) => ({
  id: (v: VolumeView) => v._id,
  redactions: async (v: VolumeView) =>
    v.redactions ?? (await services.redactions.active(v._id)).length,
  supplementedAt: (v: VolumeView) => v.supplementedAt?.toISOString() ?? null,
});
