// 辩护与代理网上预约 of 现场阅卷 and 听取意见 (issue 15.7): reception slots, booking a place for a
// bound case (the APPOINTMENT scan for a session that is not identity-verified), places that are
// never overbooked, the prosecutor's confirm, reschedule and decline, the lawyer's cancel, and
// the iCalendar file checked by an independent RFC 5545 parser (ical.js).
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prosecutorIdentity } from '@yuejuan/runtime/testing';
import { codes, startReading, type Harness } from './harness.ts';
import {
  bind,
  freshLawyer,
  seedCase,
  seedProcuratorates,
  shanghai,
  guangdong,
  wangSh,
  withStepUp,
  zhaoGd,
} from './fixtures.ts';

const addSlot = /* GraphQL */ `
  mutation A($input: ReceptionSlotInput!) {
    addReceptionSlot(input: $input) {
      id
      types
      startsAt
      endsAt
      location
      capacity
      available
    }
  }
`;
const slotsOf = /* GraphQL */ `
  query S($p: ID!, $t: AppointmentType) {
    receptionSlots(procuratorateId: $p, type: $t) {
      id
      capacity
      available
      types
    }
  }
`;
const book = /* GraphQL */ `
  mutation B($input: AppointmentBookingInput!) {
    bookAppointment(input: $input) {
      id
      type
      status
      startsAt
      endsAt
      location
      note
    }
  }
`;
const confirm = /* GraphQL */ `
  mutation C($id: ID!) {
    confirmAppointment(id: $id) {
      id
      status
      calendar
    }
  }
`;
const reschedule = /* GraphQL */ `
  mutation R($id: ID!, $slot: ID!, $reason: String!) {
    rescheduleAppointment(id: $id, slotId: $slot, reason: $reason) {
      id
      status
      startsAt
      location
      decisionNote
    }
  }
`;
const decline = /* GraphQL */ `
  mutation D($id: ID!, $reason: String!) {
    declineAppointment(id: $id, reason: $reason) {
      id
      status
      closedReason
    }
  }
`;
const cancel = /* GraphQL */ `
  mutation X($id: ID!) {
    cancelAppointment(id: $id) {
      id
      status
      closedReason
    }
  }
`;
const queue = /* GraphQL */ `
  query Q($s: AppointmentStatus) {
    appointmentQueue(status: $s) {
      id
      status
    }
  }
`;
const read = /* GraphQL */ `
  query G($id: ID!) {
    appointment(id: $id) {
      id
      status
      calendar
      startsAt
      endsAt
    }
  }
`;

const hours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();
const slotInput = (
  from: number,
  capacity = 2,
  types = ['IN_PERSON_READING', 'OPINION_HEARING'],
) => ({
  types,
  startsAt: hours(from),
  endsAt: hours(from + 2),
  location: '上海市人民检察院 律师接待室（浦东新区迎春路）',
  capacity,
});

describe('booking 现场阅卷 and 听取意见 in reception slots', () => {
  let h: Harness;
  let caseId: string;
  const events = () =>
    h.db
      .getClient()
      .db(`${h.db.name}_ev`)
      .collection('events')
      .find({ topic: 'reading.appointment.changed' })
      .toArray();

  beforeAll(async () => {
    h = await startReading('rd_booking');
    await seedProcuratorates(h);
    caseId = await seedCase(h, shanghai.id, '周某某涉嫌非法吸收公众存款案');
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function boundLawyer(verified = true) {
    const lawyer = freshLawyer(verified);
    await bind(h, lawyer.lawyerId, caseId);
    return lawyer;
  }
  async function slot(from: number, capacity = 2, types?: string[]) {
    const r = await h.call(wangSh, addSlot, { input: slotInput(from, capacity, types) });
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data.addReceptionSlot as { id: string; available: number };
  }

  it('opens slots for prosecutors of the procuratorate only, with checked times, places and kinds', async () => {
    const s = await slot(48, 3);
    expect(s).toMatchObject({
      capacity: 3,
      available: 3,
      types: ['IN_PERSON_READING', 'OPINION_HEARING'],
    });
    expect(codes(await h.call(freshLawyer(), addSlot, { input: slotInput(48) }))).toEqual([
      'FORBIDDEN',
    ]);
    for (const [input, field] of [
      [{ ...slotInput(-2) }, 'startsAt'],
      [{ ...slotInput(48), endsAt: hours(47) }, 'endsAt'],
      [{ ...slotInput(48), endsAt: hours(70) }, 'endsAt'],
      [{ ...slotInput(48), capacity: 0 }, 'capacity'],
      [{ ...slotInput(48), location: '  ' }, 'location'],
      [{ ...slotInput(48), types: ['ONLINE_READING'] }, 'types'],
      [{ ...slotInput(48), startsAt: 'tomorrow' }, 'startsAt'],
      [{ ...slotInput(24 * 200) }, 'startsAt'],
    ] as const) {
      const r = await h.call(wangSh, addSlot, { input });
      expect(codes(r), field).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.extensions!.field).toBe(field);
    }
    const listed = await h.call(freshLawyer(), slotsOf, { p: shanghai.id, t: 'OPINION_HEARING' });
    expect(listed.data.receptionSlots.map((x: { id: string }) => x.id)).toContain(s.id);
    expect((await h.call(freshLawyer(), slotsOf, { p: guangdong.id })).data.receptionSlots).toEqual(
      [],
    );
  });

  it('books a bound case only, in a slot of its procuratorate that receives the kind, after the APPOINTMENT scan', async () => {
    const s = await slot(50, 2, ['IN_PERSON_READING']);
    const unverified = await boundLawyer(false);
    const input = { caseId, type: 'IN_PERSON_READING', slotId: s.id, note: '查阅全部案卷材料' };
    const stepUp = await h.call(unverified, book, { input });
    expect(codes(stepUp)).toEqual(['STEP_UP_REQUIRED']);
    expect(stepUp.errors![0]!.extensions!.purpose).toBe('APPOINTMENT');
    expect(
      (await h.call(unverified, slotsOf, { p: shanghai.id })).data.receptionSlots.find(
        (x: { id: string }) => x.id === s.id,
      ).available,
    ).toBe(2); // nothing held
    const booked = await h.call(withStepUp(unverified, 'APPOINTMENT'), book, { input });
    expect(booked.data.bookAppointment).toMatchObject({
      type: 'IN_PERSON_READING',
      status: 'REQUESTED',
      location: expect.stringContaining('律师接待室'),
      note: '查阅全部案卷材料',
    });

    const stranger = freshLawyer();
    expect(codes(await h.call(stranger, book, { input }))).toEqual(['CASE_NOT_BOUND']);
    const lawyer = await boundLawyer();
    expect(
      codes(await h.call(lawyer, book, { input: { ...input, type: 'OPINION_HEARING' } })),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(await h.call(lawyer, book, { input: { ...input, type: 'ONLINE_READING' } })),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(await h.call(lawyer, book, { input: { ...input, note: 'x'.repeat(201) } })),
    ).toEqual(['BAD_USER_INPUT']);
    const gdCase = await seedCase(h, guangdong.id, '广东案');
    await bind(h, lawyer.lawyerId, gdCase);
    const other = await h.call(lawyer, book, { input: { ...input, caseId: gdCase } });
    expect(codes(other)).toEqual(['BAD_USER_INPUT']);
    expect(other.errors![0]!.message).toContain('受理检察院');
    expect(codes(await h.call(wangSh, book, { input }))).toEqual(['FORBIDDEN']);
  });

  it('never overbooks: ten lawyers at once for two places get two bookings; a lawyer holds one place per slot', async () => {
    const s = await slot(52, 2);
    const lawyers = await Promise.all(Array.from({ length: 10 }, () => boundLawyer()));
    const results = await Promise.all(
      lawyers.map((l) =>
        h.call(l, book, { input: { caseId, type: 'OPINION_HEARING', slotId: s.id } }),
      ),
    );
    expect(results.filter((r) => !r.errors).length).toBe(2);
    expect(
      results
        .filter((r) => r.errors)
        .flatMap(codes)
        .every((c) => c === 'SLOT_FULL'),
    ).toBe(true);
    expect(await h.db.collection('slot_seats').countDocuments({ slotId: s.id })).toBe(2);
    expect(
      (await h.call(wangSh, slotsOf, { p: shanghai.id })).data.receptionSlots.find(
        (x: { id: string }) => x.id === s.id,
      ).available,
    ).toBe(0);

    const roomy = await slot(54, 5);
    const one = await boundLawyer();
    const twice = await Promise.all(
      [0, 1, 2].map(() =>
        h.call(one, book, { input: { caseId, type: 'OPINION_HEARING', slotId: roomy.id } }),
      ),
    );
    expect(twice.filter((r) => !r.errors).length).toBe(1);
    expect(twice.flatMap(codes)).toEqual(['CONFLICT', 'CONFLICT']);
  });

  it('the prosecutor confirms (SMS event, a calendar file an RFC 5545 parser reads), reschedules and declines; the lawyer cancels', async () => {
    const first = await slot(60, 2);
    const later = await slot(72, 1, ['OPINION_HEARING']);
    const lawyer = await boundLawyer();
    const a = (
      await h.call(lawyer, book, {
        input: {
          caseId,
          type: 'OPINION_HEARING',
          slotId: first.id,
          note: '当面提交辩护意见；证据目录，附件若干',
        },
      })
    ).data.bookAppointment;
    expect(
      (await h.call(wangSh, queue, { s: 'REQUESTED' })).data.appointmentQueue.map(
        (x: { id: string }) => x.id,
      ),
    ).toContain(a.id);
    expect(
      (await h.call(zhaoGd, queue, { s: 'REQUESTED' })).data.appointmentQueue.map(
        (x: { id: string }) => x.id,
      ),
    ).not.toContain(a.id);
    expect(codes(await h.call(zhaoGd, confirm, { id: a.id }))).toEqual(['FORBIDDEN']);
    expect((await h.call(lawyer, read, { id: a.id })).data.appointment.calendar).toBeNull();

    const confirmed = await h.call(wangSh, confirm, { id: a.id });
    expect(confirmed.data.confirmAppointment.status).toBe('CONFIRMED');
    expect(codes(await h.call(wangSh, confirm, { id: a.id }))).toEqual(['CONFLICT']);
    const ics = (await h.call(lawyer, read, { id: a.id })).data.appointment.calendar as string;
    // RFC 5545 3.1: CRLF line ends, content lines folded at 75 octets.
    expect(ics.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toContain('\n');
    const event = new ICAL.Event(
      new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!,
    );
    expect(event.uid).toBe(`${a.id}@yuejuan`);
    expect(event.summary).toBe('听取意见：周某某涉嫌非法吸收公众存款案');
    expect(event.location).toBe('上海市人民检察院 律师接待室（浦东新区迎春路）');
    expect(event.description).toContain('当面提交辩护意见；证据目录，附件若干');
    const toSecond = (iso: string) => Math.floor(Date.parse(iso) / 1000) * 1000; // iCalendar times have whole seconds
    expect(event.startDate.toJSDate().getTime()).toBe(toSecond(a.startsAt));
    expect(event.endDate.toJSDate().getTime()).toBe(toSecond(a.endsAt));

    expect(
      codes(await h.call(wangSh, reschedule, { id: a.id, slot: later.id, reason: '' })),
    ).toEqual(['BAD_USER_INPUT']);
    const moved = await h.call(wangSh, reschedule, {
      id: a.id,
      slot: later.id,
      reason: '承办检察官当日出庭',
    });
    expect(moved.data.rescheduleAppointment).toMatchObject({
      status: 'CONFIRMED',
      startsAt: expect.any(String),
      decisionNote: '承办检察官当日出庭',
    });
    expect(moved.data.rescheduleAppointment.startsAt).not.toBe(a.startsAt);
    const slots = (await h.call(wangSh, slotsOf, { p: shanghai.id })).data.receptionSlots;
    expect(slots.find((x: { id: string }) => x.id === first.id).available).toBe(2);
    expect(slots.find((x: { id: string }) => x.id === later.id).available).toBe(0);
    // The later slot is full now: another booking moved there is refused and keeps its place.
    const b = (
      await h.call(await boundLawyer(), book, {
        input: { caseId, type: 'OPINION_HEARING', slotId: first.id },
      })
    ).data.bookAppointment;
    expect(
      codes(await h.call(wangSh, reschedule, { id: b.id, slot: later.id, reason: '合并接待' })),
    ).toEqual(['SLOT_FULL']);
    expect(
      await h.db.collection('slot_seats').countDocuments({ slotId: first.id, appointmentId: b.id }),
    ).toBe(1);
    // A refused move leaves the booking free to be moved elsewhere.
    const elsewhere = await slot(90, 1, ['OPINION_HEARING']);
    const movedB = await h.call(wangSh, reschedule, {
      id: b.id,
      slot: elsewhere.id,
      reason: '改到下周',
    });
    expect(movedB.data.rescheduleAppointment.status).toBe('CONFIRMED');
    expect(
      await h.db.collection('slot_seats').countDocuments({ slotId: first.id, appointmentId: b.id }),
    ).toBe(0);

    const declined = await h.call(wangSh, decline, { id: b.id, reason: '案件已移送审判' });
    expect(declined.data.declineAppointment).toMatchObject({
      status: 'CLOSED',
      closedReason: '检察院不予安排：案件已移送审判',
    });
    expect(codes(await h.call(wangSh, confirm, { id: b.id }))).toEqual(['CONFLICT']);
    expect(codes(await h.call(freshLawyer(), cancel, { id: a.id }))).toEqual(['FORBIDDEN']);
    const cancelled = await h.call(lawyer, cancel, { id: a.id });
    expect(cancelled.data.cancelAppointment).toMatchObject({
      status: 'CLOSED',
      closedReason: '律师已取消预约',
    });
    expect(
      await h.db.collection('slot_seats').countDocuments({ slotId: { $in: [first.id, later.id] } }),
    ).toBe(0);
    expect(codes(await h.call(wangSh, removeSlotOp, { id: later.id }))).toEqual([]);

    const changes = (await events())
      .filter((e) => [a.id, b.id].includes(e.payload.appointmentId))
      .map((e) => `${e.payload.appointmentId === a.id ? 'a' : 'b'}:${e.payload.change}`);
    expect(changes).toEqual([
      'a:REQUESTED',
      'a:CONFIRMED',
      'a:RESCHEDULED',
      'b:REQUESTED',
      'b:RESCHEDULED',
      'b:DECLINED',
      'a:CANCELLED',
    ]);
    const rescheduled = (await events()).find(
      (e) => e.payload.appointmentId === a.id && e.payload.change === 'RESCHEDULED',
    )!;
    expect(rescheduled.payload).toMatchObject({
      appointmentType: '听取意见',
      caseName: '周某某涉嫌非法吸收公众存款案',
      reason: '承办检察官当日出庭',
      location: expect.any(String),
      startsAt: moved.data.rescheduleAppointment.startsAt,
    });
  });

  it("removes only a slot nobody booked, and only the procuratorate's own", async () => {
    const s = await slot(80, 1);
    await h.call(await boundLawyer(), book, {
      input: { caseId, type: 'OPINION_HEARING', slotId: s.id },
    });
    expect(codes(await h.call(wangSh, removeSlotOp, { id: s.id }))).toEqual(['CONFLICT']);
    const empty = await slot(82, 1);
    expect(
      codes(
        await h.call(prosecutorIdentity('prosecutor-zhao', guangdong.id), removeSlotOp, {
          id: empty.id,
        }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect((await h.call(wangSh, removeSlotOp, { id: empty.id })).data.removeReceptionSlot).toBe(
      true,
    );
  });
});

const removeSlotOp = /* GraphQL */ `
  mutation Rm($id: ID!) {
    removeReceptionSlot(id: $id)
  }
`;
