import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

/**
 * Kinds of defence/agency appointments (辩护与代理网上预约). Each kind says what it carries;
 * a new kind (现场阅卷, 听取意见) is a new entry here plus its own workflow, not a redesign.
 */
export const appointmentTypes = {
  ONLINE_READING: { label: '在线阅卷', hasPackage: true },
  IN_PERSON_READING: { label: '现场阅卷', hasPackage: false },
  OPINION_HEARING: { label: '听取意见', hasPackage: false },
} as const;
export type AppointmentType = keyof typeof appointmentTypes;
/** ONLINE_READING: WAITING_FOR_FILE → FILE_READY → CLOSED; booked kinds: REQUESTED → CONFIRMED → CLOSED (declined or cancelled). */
export const appointmentStatuses = [
  'WAITING_FOR_FILE',
  'FILE_READY',
  'REQUESTED',
  'CONFIRMED',
  'CLOSED',
] as const;

/** A lawyer's appointment; for ONLINE_READING it is where the package and its download live. */
export const appointmentSchema = new Schema(
  {
    _id: { type: String, default: newId },
    type: { type: String, required: true, enum: Object.keys(appointmentTypes) },
    lawyerId: { type: String, required: true },
    caseId: { type: String, required: true },
    procuratorateId: { type: String, required: true },
    caseName: { type: String, required: true },
    /** The application it came from (one appointment per application: its `_id` decides). */
    sourceId: { type: String, required: true },
    status: {
      type: String,
      required: true,
      enum: appointmentStatuses,
      default: 'WAITING_FOR_FILE',
    },
    receiptAcknowledgedAt: Date,
    packageId: String,
    /** Why it closed before its time (the binding was revoked, the package withdrawn, declined, cancelled), shown to the lawyer. */
    closedReason: String,
    /** Booked kinds: the reception slot, copied so a later change of the slot does not move it. */
    slotId: String,
    /** The place it holds in the slot (`slot_seats` `${slotId}:${seat}`), and how often it was moved. */
    seat: Number,
    moves: Number,
    startsAt: Date,
    endsAt: Date,
    location: String,
    /** Booked kinds: what the lawyer wants to do (预约事由). */
    note: String,
    /** Booked kinds: the prosecutor's word on a reschedule or decline. */
    decisionNote: String,
    decidedBy: String,
  },
  { timestamps: true, versionKey: false },
);
appointmentSchema.index({ lawyerId: 1, _id: -1 });
// A procuratorate's bookings (models/owned.ts; the console's 预约 queue).
appointmentSchema.index({ procuratorateId: 1, _id: -1 });

export type AppointmentDoc = InferSchemaType<typeof appointmentSchema> & {
  _id: string;
  createdAt: Date;
  updatedAt?: Date;
};
export const appointmentModel = (c: Connection) =>
  c.model('Appointment', appointmentSchema, 'appointments');
