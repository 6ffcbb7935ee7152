import type { Collection } from 'mongodb';
import ical from 'ical-generator';
import {
  AppError,
  claimOnce,
  newId,
  requireStepUp,
  type Identity,
  type StepUpClaim,
} from '@yuejuan/runtime';
import {
  appointmentTypes,
  bookableTypes,
  type AppointmentDoc,
  type BookableType,
  type ReadingModels,
  type ReceptionSlotDoc,
  type ReceptionSlotView,
  readingOwned,
} from '../models/index.ts';
import { assertCanRead, assertOwner, assertReviewer } from './access.ts';
import type { ReadingEvents } from './events.ts';
import type { Peers } from './peers.ts';

export interface BookingStores {
  /** `${slotId}:${n}`: place n of a slot, held by one appointment (the unique `_id` decides). */
  seats: Collection<{ _id: string; slotId: string; appointmentId: string; at: Date }>;
  /** `${slotId}:${lawyerId}`: a lawyer holds one place per slot; `${appointmentId}:<change>`: each change once. */
  claims: Collection<{ _id: string; by: string; at: Date }>;
  stepUps: Collection<StepUpClaim>;
}

export interface SlotInput {
  types: string[];
  startsAt: string;
  endsAt: string;
  location: string;
  capacity: number;
}

export interface BookingInput {
  caseId: string;
  type: string;
  slotId: string;
  note?: string | null;
}

const hour = 3_600_000;
const day = 24 * hour;
/** How far ahead slots are offered, and may be opened. */
const horizonDays = 180;
const open = ['REQUESTED', 'CONFIRMED'];

const bad = (field: string, message: string) => new AppError('BAD_USER_INPUT', message, { field });
const isBookable = (type: string): type is BookableType =>
  (bookableTypes as readonly string[]).includes(type);
const typeLabel = (type: string) =>
  appointmentTypes[type as keyof typeof appointmentTypes]?.label ?? type;

function date(value: string, field: string): Date {
  const d =
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)
      ? new Date(value)
      : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw bad(field, '时间格式不正确。');
  return d;
}

function text(
  value: string | null | undefined,
  field: string,
  max: number,
  required: string | null,
): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v && required) throw bad(field, required);
  if ([...v].length > max) throw bad(field, `最多${max}字。`);
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(v.replace(/[\r\n]/g, '')))
    throw bad(field, '不能包含控制字符。');
  return v;
}

/**
 * 辩护与代理网上预约 of the kinds booked in a procuratorate's reception slots (现场阅卷, 听取意见):
 * prosecutors open slots, a lawyer books a place for a bound case of that procuratorate (after the
 * APPOINTMENT scan when the session is not identity-verified), and a prosecutor confirms,
 * reschedules or declines; the lawyer may cancel before it starts. Places, a lawyer's one place
 * per slot and every change are unique inserts, so nothing happens twice under concurrency.
 */
export function createBookingService(
  models: ReadingModels,
  peers: Pick<Peers, 'checkBinding'>,
  events: ReadingEvents,
  stores: () => BookingStores,
  now: () => Date = () => new Date(),
) {
  async function slotOf(id: string): Promise<ReceptionSlotDoc> {
    const slot =
      typeof id === 'string'
        ? await models.ReceptionSlot.findById(id).lean<ReceptionSlotDoc>().exec()
        : null;
    if (!slot) throw new AppError('NOT_FOUND', '预约时段不存在。');
    return slot;
  }
  async function appointmentOf(id: string): Promise<AppointmentDoc> {
    const a =
      typeof id === 'string'
        ? await models.Appointment.findById(id).lean<AppointmentDoc>().exec()
        : null;
    if (!a || !isBookable(a.type)) throw new AppError('NOT_FOUND', '预约不存在。');
    return a;
  }
  const load = async (id: string) =>
    (await models.Appointment.findById(id).lean<AppointmentDoc>().exec())!;

  /** The slots with their places taken, counted from the seats (the seats decide; nothing stored can go stale). */
  async function withBooked(slots: ReceptionSlotDoc[]): Promise<ReceptionSlotView[]> {
    if (slots.length === 0) return [];
    const seats = await stores()
      .seats.find({ _id: { $in: slots.flatMap(seatIds) } }, { projection: { slotId: 1 } })
      .toArray();
    const taken = new Map<string, number>();
    for (const seat of seats) taken.set(seat.slotId, (taken.get(seat.slotId) ?? 0) + 1);
    return slots.map((s) => ({ ...s, booked: taken.get(s._id) ?? 0 }));
  }
  /** The ids a slot's places can have (`${slotId}:${n}`, n ≤ capacity): seats are read by them. */
  const seatIds = (slot: ReceptionSlotDoc) =>
    Array.from({ length: slot.capacity }, (_, i) => `${slot._id}:${i + 1}`);
  const seatsTaken = (slot: ReceptionSlotDoc) =>
    stores().seats.countDocuments({ _id: { $in: seatIds(slot) } });

  /** Takes a place in `slot` for `lawyerId` (one per slot per lawyer); answers the seat's id. */
  async function takePlace(
    slot: ReceptionSlotDoc,
    lawyerId: string,
    appointmentId: string,
    at: Date,
  ): Promise<string> {
    if (!(await claimOnce(stores().claims, `${slot._id}:${lawyerId}`, { by: appointmentId, at })))
      throw new AppError('CONFLICT', '您已预约该时段。');
    for (let n = 1; n <= slot.capacity; n++) {
      const seatId = `${slot._id}:${n}`;
      if (await claimOnce(stores().seats, seatId, { slotId: slot._id, appointmentId, at }))
        return seatId;
    }
    await stores().claims.deleteOne({ _id: `${slot._id}:${lawyerId}` });
    throw new AppError('SLOT_FULL', '该时段已约满，请选择其他时段。', { slotId: slot._id });
  }

  async function releasePlace(a: AppointmentDoc) {
    if (!a.slotId) return;
    await stores().seats.deleteOne({
      _id: `${a.slotId}:${String(a.seat ?? '')}`,
      appointmentId: a._id,
    });
    await stores().claims.deleteOne({ _id: `${a.slotId}:${a.lawyerId}`, by: a._id });
  }

  function assertUpcoming(a: AppointmentDoc, at: Date) {
    if (!open.includes(a.status))
      throw new AppError('CONFLICT', '预约状态已变化，请刷新后重试。', { status: a.status });
    if (a.startsAt && a.startsAt <= at)
      throw new AppError('CONFLICT', '预约时间已过，不能再变更。', { status: a.status });
  }

  /** Closes an open appointment once (declined or cancelled), freeing its place. */
  async function close(
    a: AppointmentDoc,
    by: string,
    set: Record<string, unknown>,
    change: 'DECLINED' | 'CANCELLED',
    reason: string,
  ) {
    if (!(await claimOnce(stores().claims, `${a._id}:closed`, { by, at: now() })))
      throw new AppError('CONFLICT', '预约状态已变化，请刷新后重试。');
    await models.Appointment.updateOne(
      { _id: a._id },
      { $set: { status: 'CLOSED', ...set } },
    ).exec();
    await releasePlace(a);
    const closed = await load(a._id);
    await events.appointment(closed, change, reason);
    return closed;
  }

  return {
    /** Prosecutor: opens a reception slot of their own procuratorate. */
    async addSlot(identity: Identity, input: SlotInput): Promise<ReceptionSlotView> {
      if (identity.role !== 'PROSECUTOR')
        throw new AppError(
          identity.role === 'ANONYMOUS' ? 'UNAUTHENTICATED' : 'FORBIDDEN',
          '仅检察人员可以设置接待时段。',
        );
      const types = Array.isArray(input.types) ? [...new Set(input.types)] : [];
      if (types.length === 0 || !types.every(isBookable))
        throw bad('types', '请选择接待的预约类型（现场阅卷、听取意见）。');
      const startsAt = date(input.startsAt, 'startsAt');
      const endsAt = date(input.endsAt, 'endsAt');
      const at = now();
      if (startsAt <= at) throw bad('startsAt', '开始时间须晚于现在。');
      if (startsAt.getTime() > at.getTime() + horizonDays * day)
        throw bad('startsAt', `只能设置${horizonDays}天内的接待时段。`);
      if (endsAt <= startsAt || endsAt.getTime() - startsAt.getTime() > 12 * hour)
        throw bad('endsAt', '结束时间须晚于开始时间，且同一时段不超过12小时。');
      const location = text(input.location, 'location', 100, '请填写接待地点。');
      if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > 50)
        throw bad('capacity', '可预约人数应为1至50。');
      const slot = await models.ReceptionSlot.create({
        procuratorateId: identity.procuratorateId,
        types,
        startsAt,
        endsAt,
        location,
        capacity: input.capacity,
        createdBy: identity.prosecutorId,
      });
      return { ...(slot.toObject() as ReceptionSlotDoc), booked: 0 };
    },

    /** Prosecutor: removes a slot of their procuratorate that nobody booked. */
    async removeSlot(identity: Identity, id: string): Promise<boolean> {
      const slot = await slotOf(id);
      assertReviewer(identity, slot.procuratorateId);
      if ((await seatsTaken(slot)) > 0)
        throw new AppError('CONFLICT', '该时段已有律师预约，请先改期或不予安排后再删除。');
      await models.ReceptionSlot.deleteOne({ _id: slot._id }).exec();
      return true;
    },

    /** Upcoming slots of a procuratorate (any signed-in user), soonest first, optionally of one kind. */
    async slots(
      identity: Identity,
      procuratorateId: string,
      type?: string | null,
    ): Promise<ReceptionSlotView[]> {
      if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
      if (type && !isBookable(type)) throw bad('type', '该类预约不需要选择接待时段。');
      const at = now();
      const filter: Record<string, unknown> = {
        procuratorateId,
        startsAt: { $gt: at, $lte: new Date(at.getTime() + horizonDays * day) },
      };
      if (type) filter.types = type;
      return withBooked(
        await models.ReceptionSlot.find(filter)
          .sort({ startsAt: 1 })
          .limit(200)
          .lean<ReceptionSlotDoc[]>()
          .exec(),
      );
    },

    /** 【预约】: a place in a slot of the case's procuratorate, for a case bound to the lawyer. */
    async book(identity: Identity, input: BookingInput): Promise<AppointmentDoc> {
      if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
      if (identity.role !== 'LAWYER') throw new AppError('FORBIDDEN', '仅律师可以预约。');
      if (!isBookable(input.type)) throw bad('type', '请选择预约类型（现场阅卷或听取意见）。');
      const note = text(input.note, 'note', 200, null);
      const slot = await slotOf(input.slotId);
      const at = now();
      if (!(slot.types as string[]).includes(input.type))
        throw bad('slotId', `该时段不接待${typeLabel(input.type)}，请选择其他时段。`);
      if (slot.startsAt <= at) throw bad('slotId', '该时段已开始或已结束，请选择其他时段。');
      const check = await peers.checkBinding(identity.lawyerId, input.caseId);
      if (!check.exists) throw new AppError('NOT_FOUND', '案件不存在。');
      if (!check.bound) throw new AppError('CASE_NOT_BOUND', '只能为已绑定案件预约。');
      if (check.procuratorateId !== slot.procuratorateId)
        throw bad('slotId', '所选时段不属于该案件的受理检察院。');
      // Full already: say so before the lawyer spends a scan on it.
      if ((await seatsTaken(slot)) >= slot.capacity)
        throw new AppError('SLOT_FULL', '该时段已约满，请选择其他时段。', { slotId: slot._id });
      await requireStepUp(identity, 'APPOINTMENT', stores().stepUps, { now: at });
      const id = newId();
      const seatId = await takePlace(slot, identity.lawyerId, id, at);
      await readingOwned(models).appointmentsByLawyer.added(identity.lawyerId, id);
      await readingOwned(models).bookingsByProcuratorate.added(slot.procuratorateId, id);
      await models.Appointment.create({
        _id: id,
        type: input.type,
        lawyerId: identity.lawyerId,
        caseId: input.caseId,
        procuratorateId: slot.procuratorateId,
        caseName: check.caseName!,
        sourceId: `booking:${id}`,
        status: 'REQUESTED',
        slotId: slot._id,
        seat: Number(seatId.slice(slot._id.length + 1)),
        startsAt: slot.startsAt,
        endsAt: slot.endsAt,
        location: slot.location,
        note: note || undefined,
      });
      const booked = await load(id);
      await events.appointment(booked, 'REQUESTED');
      return booked;
    },

    /** The lawyer cancels their own booking before it starts; the place is freed. */
    async cancel(identity: Identity, id: string): Promise<AppointmentDoc> {
      const a = await appointmentOf(id);
      const lawyer = assertOwner(identity, a.lawyerId);
      assertUpcoming(a, now());
      return close(
        a,
        lawyer.lawyerId,
        { closedReason: '律师已取消预约' },
        'CANCELLED',
        '律师已取消预约',
      );
    },

    /** Prosecutor: confirms a requested booking of their procuratorate (the lawyer gets an SMS). */
    async confirm(identity: Identity, id: string): Promise<AppointmentDoc> {
      const a = await appointmentOf(id);
      const p = assertReviewer(identity, a.procuratorateId);
      assertUpcoming(a, now());
      if (
        a.status !== 'REQUESTED' ||
        !(await claimOnce(stores().claims, `${a._id}:confirmed`, { by: p.prosecutorId, at: now() }))
      )
        throw new AppError('CONFLICT', '预约状态已变化，请刷新后重试。', { status: a.status });
      await models.Appointment.updateOne(
        { _id: a._id, status: 'REQUESTED' },
        { $set: { status: 'CONFIRMED', decidedBy: p.prosecutorId } },
      ).exec();
      const confirmed = await load(a._id);
      if (confirmed.status !== 'CONFIRMED')
        throw new AppError('CONFLICT', '预约状态已变化，请刷新后重试。', {
          status: confirmed.status,
        });
      await events.appointment(confirmed, 'CONFIRMED');
      return confirmed;
    },

    /** Prosecutor: moves a booking to another slot of the procuratorate, with the reason; it is confirmed there. */
    async reschedule(
      identity: Identity,
      id: string,
      slotId: string,
      reason: string,
    ): Promise<AppointmentDoc> {
      const a = await appointmentOf(id);
      const p = assertReviewer(identity, a.procuratorateId);
      const why = text(reason, 'reason', 200, '请填写改期原因。');
      const at = now();
      assertUpcoming(a, at);
      const slot = await slotOf(slotId);
      if (slot.procuratorateId !== a.procuratorateId)
        throw bad('slotId', '只能改到本院的接待时段。');
      if (slot._id === a.slotId) throw bad('slotId', '请选择与原时段不同的时段。');
      if (!(slot.types as string[]).includes(a.type))
        throw bad('slotId', `该时段不接待${typeLabel(a.type)}。`);
      if (slot.startsAt <= at) throw bad('slotId', '该时段已开始或已结束。');
      const move = `${a._id}:move:${a.moves ?? 0}`;
      if (!(await claimOnce(stores().claims, move, { by: p.prosecutorId, at })))
        throw new AppError('CONFLICT', '预约状态已变化，请刷新后重试。');
      let seatId: string;
      try {
        seatId = await takePlace(slot, a.lawyerId, a._id, at);
      } catch (err) {
        // No place there: the booking stays where it was, and may be moved elsewhere.
        await stores().claims.deleteOne({ _id: move });
        throw err;
      }
      await releasePlace(a);
      await models.Appointment.updateOne(
        { _id: a._id },
        {
          $set: {
            status: 'CONFIRMED',
            slotId: slot._id,
            seat: Number(seatId.slice(slot._id.length + 1)),
            startsAt: slot.startsAt,
            endsAt: slot.endsAt,
            location: slot.location,
            decisionNote: why,
            decidedBy: p.prosecutorId,
            moves: (a.moves ?? 0) + 1,
          },
        },
      ).exec();
      const moved = await load(a._id);
      await events.appointment(moved, 'RESCHEDULED', why);
      return moved;
    },

    /** Prosecutor: declines a booking with the reason; the place is freed and the lawyer told. */
    async decline(identity: Identity, id: string, reason: string): Promise<AppointmentDoc> {
      const a = await appointmentOf(id);
      const p = assertReviewer(identity, a.procuratorateId);
      const why = text(reason, 'reason', 200, '请填写不予安排的原因。');
      assertUpcoming(a, now());
      return close(
        a,
        p.prosecutorId,
        { closedReason: `检察院不予安排：${why}`, decisionNote: why, decidedBy: p.prosecutorId },
        'DECLINED',
        why,
      );
    },

    /** Prosecutor: their procuratorate's bookings in a state (default REQUESTED), the soonest first. */
    async queue(identity: Identity, status = 'REQUESTED', first = 50): Promise<AppointmentDoc[]> {
      if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
      if (identity.role !== 'PROSECUTOR') throw new AppError('FORBIDDEN', '仅检察人员可以办理。');
      // The procuratorate's bookings (by `_id` on FerretDB), in the state asked, soonest first.
      const at = now();
      return (
        await readingOwned(models).bookingsByProcuratorate.find(identity.procuratorateId, {
          type: { $in: [...bookableTypes] },
          status,
        })
      )
        .filter((a) => !open.includes(status) || (a.endsAt && a.endsAt > at))
        .sort((a, b) => +(a.startsAt ?? 0) - +(b.startsAt ?? 0))
        .slice(0, Math.min(Math.max(1, first), 100));
    },

    /**
     * The booking as an iCalendar file (RFC 5545, one VEVENT, times in UTC) for the lawyer's
     * calendar: only once confirmed, and only for those who may read the appointment.
     */
    calendar(identity: Identity, a: AppointmentDoc, procuratorateName?: string): string | null {
      assertCanRead(identity, a);
      if (a.status !== 'CONFIRMED' || !a.startsAt || !a.endsAt) return null;
      const cal = ical({
        prodId: { company: '12309中国检察网', product: '阅卷', language: 'ZH' },
        name: '辩护与代理网上预约',
      });
      cal.createEvent({
        id: `${a._id}@yuejuan`,
        start: a.startsAt,
        end: a.endsAt,
        stamp: a.updatedAt ?? a.startsAt,
        summary: `${typeLabel(a.type)}：${a.caseName}`,
        location: a.location ?? undefined,
        description: [
          `${procuratorateName ?? '受理检察院'} ${typeLabel(a.type)}`,
          `案件：${a.caseName}`,
          a.note ? `预约事由：${a.note}` : '',
          '请携带律师执业证按时到达。',
        ]
          .filter(Boolean)
          .join('\n'),
      });
      return cal.toString();
    },
  };
}
export type BookingService = ReturnType<typeof createBookingService>;
