// Lists by owner without reading a whole collection on FerretDB (models/owned.ts): a lawyer's
// appointments (我的预约) and a procuratorate's bookings, including those written before the lists
// existed (built once, on first use); the same answers on MongoDB from the models' indexes.
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, newId } from '@yuejuan/runtime';
import { startReading, type Harness } from './harness.ts';
import { freshLawyer, shanghai, wangSh } from './fixtures.ts';

const appointments = /* GraphQL */ `
  query ($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Lawyer {
        appointments(first: 2) {
          totalCount
          edges {
            node {
              id
            }
          }
          pageInfo {
            hasNextPage
          }
        }
      }
    }
  }
`;
const queue = /* GraphQL */ `
  query ($s: AppointmentStatus) {
    appointmentQueue(status: $s) {
      id
    }
  }
`;

describe('appointments by lawyer and by procuratorate', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startReading('rd_owned');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('lists appointments an older version wrote, by _id reads only on FerretDB', async () => {
    const lawyer = freshLawyer();
    const at = Date.now() + 86_400_000;
    const ids = Array.from({ length: 3 }, () => newId());
    // As an older version wrote them: the documents alone, no lists.
    await h.models.Appointment.insertMany(
      ids.map((_id, i) => ({
        _id,
        type: i === 0 ? 'ONLINE_READING' : 'IN_PERSON_READING',
        lawyerId: lawyer.lawyerId,
        caseId: 'case-1',
        procuratorateId: shanghai.id,
        caseName: '李某盗窃案',
        sourceId: i === 0 ? `reading-${i}` : `booking:${_id}`,
        status: i === 0 ? 'WAITING_FOR_FILE' : 'REQUESTED',
        ...(i > 0 && {
          slotId: `slot-${i}`,
          seat: 1,
          startsAt: new Date(at + i * 3_600_000),
          endsAt: new Date(at + i * 3_600_000 + 1_800_000),
          location: '接待室',
        }),
      })),
    );
    const reads: { collection: string; filter: Document }[] = [];
    const listener = (e: { databaseName: string; commandName: string; command: Document }) => {
      if (e.databaseName === h.db.name && ['find', 'aggregate'].includes(e.commandName))
        reads.push({
          collection: String(e.command[e.commandName]),
          filter: (e.command.filter ?? e.command.pipeline?.[0]?.$match ?? {}) as Document,
        });
    };
    h.db.getClient().on('commandStarted', listener);
    let mine, booked;
    try {
      mine = await h.call(lawyer, appointments, {
        r: [{ __typename: 'Lawyer', id: lawyer.lawyerId }],
      });
      booked = await h.call(wangSh, queue, { s: 'REQUESTED' });
    } finally {
      h.db.getClient().off('commandStarted', listener);
    }
    expect(mine.errors).toBeUndefined();
    expect(mine.data._entities[0].appointments).toEqual({
      totalCount: 3,
      edges: [{ node: { id: ids[2] } }, { node: { id: ids[1] } }],
      pageInfo: { hasNextPage: true },
    });
    expect(booked.data.appointmentQueue.map((a: { id: string }) => a.id)).toEqual([ids[1], ids[2]]); // soonest first, bookings only
    if ((await databaseKind(h.db.getClient())) === 'ferretdb') {
      const onAppointments = reads.filter((r) => r.collection === 'appointments');
      expect(onAppointments.length).toBeGreaterThan(0);
      // The one-time build reads the collection once; every other read is by _id.
      expect(onAppointments.filter((r) => !('_id' in r.filter)).length).toBeLessThanOrEqual(2);
      const again: typeof reads = [];
      const second = (e: { databaseName: string; commandName: string; command: Document }) => {
        if (e.databaseName === h.db.name && e.commandName === 'find')
          again.push({ collection: String(e.command.find), filter: e.command.filter as Document });
      };
      h.db.getClient().on('commandStarted', second);
      try {
        await h.call(lawyer, appointments, { r: [{ __typename: 'Lawyer', id: lawyer.lawyerId }] });
        await h.call(wangSh, queue, { s: 'REQUESTED' });
      } finally {
        h.db.getClient().off('commandStarted', second);
      }
      expect(again.every((r) => '_id' in r.filter)).toBe(true);
    }
  });
});
