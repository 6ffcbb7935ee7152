import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { createEventBus, databaseKind, type DomainEvent, type EventBus } from '../src/index.ts';
import { testLogger, testMongoUri, uniqueDatabaseName } from '../src/testing/index.ts';

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('event bus on the capped collection', () => {
  let a: MongoClient, b: MongoClient;
  let dbName: string;
  let one: EventBus, two: EventBus;
  beforeAll(async () => {
    a = await MongoClient.connect(testMongoUri());
    b = await MongoClient.connect(testMongoUri());
    dbName = uniqueDatabaseName('bus');
    one = createEventBus({ client: a, dbName, logger: testLogger('bus') });
    two = createEventBus({ client: b, dbName, logger: testLogger('bus') });
  });
  afterAll(async () => {
    await one.close();
    await two.close();
    await a.db(dbName).dropDatabase();
    await a.close();
    await b.close();
  });

  it('delivers an event published by one process to listeners of another, by topic', async () => {
    const got: DomainEvent[] = [];
    const off = two.subscribe(['cases.bindingApplication.changed'], (e) => void got.push(e));
    await new Promise((r) => setTimeout(r, 200));
    await one.publish('identity.loginTicket.changed', { ticketId: 't1' });
    const sent = await one.publish('cases.bindingApplication.changed', {
      applicationId: 'b1',
      status: 'APPROVED',
    });
    await until(() => got.length === 1);
    expect(got[0]).toMatchObject({
      id: sent.id,
      topic: 'cases.bindingApplication.changed',
      payload: { applicationId: 'b1', status: 'APPROVED' },
    });
    off();
  });

  it('listen() yields events and leaves no listener or cursor once returned', async () => {
    const iterator = two.listen(['reading.package.changed'], (e) => e.payload.packageId === 'p2');
    const next = iterator.next();
    await new Promise((r) => setTimeout(r, 200));
    await one.publish('reading.package.changed', { packageId: 'p1' });
    await one.publish('reading.package.changed', { packageId: 'p2' });
    expect((await next).value.payload).toEqual({ packageId: 'p2' });
    await iterator.return!();
    await until(() => two.stats().listeners === 0 && two.stats().cursors === 0);
    expect(two.stats()).toEqual({ listeners: 0, cursors: 0 });
  });

  it('follows the stream on one cursor, and an idle listener does not read the events collection', async () => {
    // A separate client whose commands we count: the listener must neither reopen its cursor
    // per event (FerretDB closes a tailable cursor whose first batch is short) nor poll the
    // whole collection while nothing is published (on SQLite every read of it is a full scan).
    const watched = await MongoClient.connect(testMongoUri(), { monitorCommands: true });
    const commands: string[] = [];
    const byId: boolean[] = [];
    watched.on('commandStarted', (e) => {
      if (e.command[e.commandName] === 'events' || e.commandName === 'getMore') {
        commands.push(e.commandName);
        if (e.commandName === 'find')
          byId.push(Object.keys(e.command.filter ?? {}).join() === '_id');
      }
    });
    // FerretDB numbers the events and a listener reads the next numbers by `_id` once per
    // publish (see sequence.ts); MongoDB follows one tailable cursor.
    const ferret = (await databaseKind(watched)) === 'ferretdb';
    const bus = createEventBus({ client: watched, dbName, logger: testLogger('bus') });
    const got: DomainEvent[] = [];
    const off = bus.subscribe(['t.cursor'], (e) => void got.push(e));
    await one.publish('t.cursor', { n: 0 });
    await until(() => got.length === 1);
    for (let n = 1; n <= 5; n++) {
      await new Promise((r) => setTimeout(r, 150)); // longer than the 100 ms reopen-polling this replaced
      await one.publish('t.cursor', { n });
    }
    await until(() => got.length === 6);
    expect(got.map((e) => e.payload.n)).toEqual([0, 1, 2, 3, 4, 5]);
    // The anchor lookup and the cursor, plus at most one reopen if a publish was slow (> 1 s);
    // reopening per event would be 12 or more. Numbered: one `_id` read per publish, and a few
    // more to start (the head's first read wakes the reader once more).
    if (ferret) {
      expect(commands.filter((c) => c === 'find').length).toBeLessThanOrEqual(6 + 4);
      expect(byId.every(Boolean)).toBe(true);
    } else expect(commands.filter((c) => c === 'find').length).toBeLessThanOrEqual(4);
    await new Promise((r) => setTimeout(r, 1500)); // the one reopen once publishing pauses
    const settled = commands.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(commands.length).toBe(settled);
    off();
    await bus.close();
    await watched.close();
  });

  it('numbers concurrent publishes of one process without a hole, so a burst is delivered at once', async () => {
    const got: DomainEvent[] = [];
    const off = two.subscribe(['t.burst'], (e) => void got.push(e));
    await new Promise((r) => setTimeout(r, 200));
    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, n) => one.publish('t.burst', { n })),
    );
    // A skipped number would hold every listener for its 30 s gap window.
    await until(() => got.length === 20, 5_000);
    expect(new Set(got.map((e) => e.id))).toEqual(new Set(sent.map((e) => e.id)));
    if ((await databaseKind(a)) === 'ferretdb') {
      const numbers = sent.map((e) => Number(e.id.slice(2))).sort((x, y) => x - y);
      expect(numbers.at(-1)! - numbers[0]!).toBe(19);
    }
    off();
  });

  it('gives a listener that comes later only what happens after it subscribed', async () => {
    const early: DomainEvent[] = [];
    const off = one.subscribe(['t.late'], (e) => void early.push(e));
    await new Promise((r) => setTimeout(r, 300));
    await one.publish('t.late', { n: 1 });
    await until(() => early.length === 1);
    off(); // the process's cursor closes with its last listener
    await new Promise((r) => setTimeout(r, 500));
    const late: DomainEvent[] = [];
    const offLate = one.subscribe(['t.late'], (e) => void late.push(e));
    await new Promise((r) => setTimeout(r, 500));
    await one.publish('t.late', { n: 2 });
    await until(() => late.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(late.map((e) => e.payload.n)).toEqual([2]);
    offLate();
  });

  it('a durable consumer resumes after its checkpoint: nothing lost, nothing twice', async () => {
    const seen: string[] = [];
    const handler = (e: DomainEvent) => void seen.push(e.payload.n as string);
    let stop = one.consume({ name: 'sms', topics: ['t.durable'], handler });
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 5; i++) await one.publish('t.durable', { n: `a${i}` });
    await until(() => seen.length === 5);
    await stop();
    for (let i = 0; i < 5; i++) await one.publish('t.durable', { n: `b${i}` }); // while the consumer is down
    stop = two.consume({ name: 'sms', topics: ['t.durable'], handler });
    await until(() => seen.length >= 10);
    await new Promise((r) => setTimeout(r, 300));
    await stop();
    expect(seen).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4']);
  });

  it('reports a gap when the resume point was overwritten', async () => {
    await one.publish('t.gap', { n: 1 });
    await a
      .db(dbName)
      .collection('event_checkpoints')
      .updateOne(
        { _id: 'late' as never },
        { $set: { lastId: 'x', lastAt: new Date(Date.now() - 86_400_000) } },
        { upsert: true },
      );
    const gaps: unknown[] = [];
    const stop = one.consume({
      name: 'late',
      topics: ['t.gap'],
      handler: () => undefined,
      onGap: (g) => void gaps.push(g),
    });
    await until(() => gaps.length === 1);
    await stop();
  });

  it('retries an event whose durable handler failed', async () => {
    let calls = 0;
    const stop = one.consume({
      name: 'flaky',
      topics: ['t.flaky'],
      handler: () => {
        calls++;
        if (calls === 1) throw new Error('provider down');
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    await one.publish('t.flaky', {});
    await until(() => calls === 2);
    await stop();
  });
});
