import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

/** Appointment kinds booked in a procuratorate's reception slots (the others come from applications). */
export const bookableTypes = ['IN_PERSON_READING', 'OPINION_HEARING'] as const;
export type BookableType = (typeof bookableTypes)[number];

/**
 * A time a procuratorate receives lawyers (接待时段) for 现场阅卷 or 听取意见, with a number of
 * places. Places are taken by inserting `${slotId}:${n}` into `slot_seats` (unique `_id`), so
 * a slot is never overbooked even when the database applies an update's filter outside the write.
 */
export const receptionSlotSchema = new Schema(
  {
    _id: { type: String, default: newId },
    procuratorateId: { type: String, required: true },
    types: { type: [String], required: true, enum: bookableTypes },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    /** 接待地点, as the lawyer should find it. */
    location: { type: String, required: true },
    capacity: { type: Number, required: true, min: 1, max: 50 },
    createdBy: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);
receptionSlotSchema.index({ procuratorateId: 1, startsAt: 1 });

export type ReceptionSlotDoc = InferSchemaType<typeof receptionSlotSchema> & { _id: string };
/** A slot as answered: `booked` is counted from its seats when it is read, never stored. */
export type ReceptionSlotView = ReceptionSlotDoc & { booked: number };
export const receptionSlotModel = (c: Connection) =>
  c.model('ReceptionSlot', receptionSlotSchema, 'reception_slots');
