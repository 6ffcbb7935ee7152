import type { Context } from '../context.ts';
import type { ReadingServices } from '../services/index.ts';
import type { ReadingInput } from '../services/application.service.ts';
import type { NoteInput } from '../services/reader.service.ts';
import type { RedactionInput } from '../services/redaction.service.ts';
import type { VolumeArrangement } from '../services/volume.service.ts';
import type { BookingInput, SlotInput } from '../services/booking.service.ts';

type Id = { id: string };
type AppointmentArg = { appointmentId: string };

export const Mutation = ({
  applications,
  volumes,
  packages,
  downloads,
  bookings,
  reader,
  redactions,
}: ReadingServices) => ({
  addRedaction: (_: unknown, { input }: { input: RedactionInput }, { identity }: Context) =>
    redactions.add(identity, input),
  removeRedaction: (_: unknown, { id }: Id, { identity }: Context) =>
    redactions.remove(identity, id),
  openOnlineReading: (_: unknown, a: AppointmentArg, { identity }: Context) =>
    reader.open(identity, a.appointmentId),
  addReadingNote: (_: unknown, { input }: { input: NoteInput }, { identity }: Context) =>
    reader.addNote(identity, input),
  deleteReadingNote: (_: unknown, { id }: Id, { identity }: Context) =>
    reader.deleteNote(identity, id),
  submitReadingApplication: (
    _: unknown,
    { input }: { input: ReadingInput },
    { identity }: Context,
  ) => applications.submit(identity, input),
  approveReadingApplication: (_: unknown, { id }: Id, { identity }: Context) =>
    applications.approve(identity, id),
  rejectReadingApplication: (_: unknown, a: Id & { reason: string }, { identity }: Context) =>
    applications.reject(identity, a.id, a.reason),
  arrangeVolumes: (
    _: unknown,
    a: { caseId: string; volumes: VolumeArrangement[] },
    { identity }: Context,
  ) => volumes.arrange(identity, a.caseId, a.volumes),
  deleteVolume: (_: unknown, { id }: Id, { identity }: Context) => volumes.remove(identity, id),
  publishPackage: (_: unknown, a: AppointmentArg, { identity }: Context) =>
    packages.publish(identity, a.appointmentId),
  revokePackage: (_: unknown, a: Id & { reason: string }, { identity }: Context) =>
    packages.revoke(identity, a.id, a.reason),
  acknowledgeReceipt: (_: unknown, a: AppointmentArg, { identity }: Context) =>
    downloads.acknowledgeReceipt(identity, a.appointmentId),
  unlockDownload: (_: unknown, a: AppointmentArg & { password: string }, { identity }: Context) =>
    downloads.unlock(identity, a.appointmentId, a.password),
  publishSupplement: (_: unknown, a: AppointmentArg, { identity }: Context) =>
    packages.supplement(identity, a.appointmentId),
  requestNewPackagePasswords: (_: unknown, a: AppointmentArg, { identity }: Context) =>
    packages.requestNewPasswords(identity, a.appointmentId),
  addReceptionSlot: (_: unknown, { input }: { input: SlotInput }, { identity }: Context) =>
    bookings.addSlot(identity, input),
  removeReceptionSlot: (_: unknown, { id }: Id, { identity }: Context) =>
    bookings.removeSlot(identity, id),
  bookAppointment: (_: unknown, { input }: { input: BookingInput }, { identity }: Context) =>
    bookings.book(identity, input),
  cancelAppointment: (_: unknown, { id }: Id, { identity }: Context) =>
    bookings.cancel(identity, id),
  confirmAppointment: (_: unknown, { id }: Id, { identity }: Context) =>
    bookings.confirm(identity, id),
  rescheduleAppointment: (
    _: unknown,
    a: Id & { slotId: string; reason: string },
    { identity }: Context,
  ) => bookings.reschedule(identity, a.id, a.slotId, a.reason),
  declineAppointment: (_: unknown, a: Id & { reason: string }, { identity }: Context) =>
    bookings.decline(identity, a.id, a.reason),
});
