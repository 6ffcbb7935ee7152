import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startDatabase, type DatabaseHandle } from '@yuejuan/database';
import { createEventBus, type DomainEvent } from '../src/index.ts';
import { testLogger } from '../src/testing/index.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the event bus across a database restart', () => {
  let dir: string;
  let db: DatabaseHandle | undefined;
  afterAll(async () => {
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('resumes after the database restarts mid-stream: no event lost, none delivered twice', async () => {
    dir = await mkdtemp(join(tmpdir(), 'yuejuan-bus-restart-'));
    db = await startDatabase({ dataDir: join(dir, 'data'), env: {} });
    const port = Number(new URL(db.uri).port);
    const opts = { serverSelectionTimeoutMS: 20_000, heartbeatFrequencyMS: 500 };
    const [pub, sub] = [
      await MongoClient.connect(db.uri, opts),
      await MongoClient.connect(db.uri, opts),
    ];
    const publisher = createEventBus({ client: pub, dbName: 'restart', logger: testLogger('pub') });
    const subscriber = createEventBus({
      client: sub,
      dbName: 'restart',
      logger: testLogger('sub'),
    });
    const live: string[] = [];
    const durable: string[] = [];
    const offLive = subscriber.subscribe(['t.stream'], (e: DomainEvent) => void live.push(e.id));
    const stopDurable = subscriber.consume({
      name: 'restart-test',
      topics: ['t.stream'],
      handler: (e) => void durable.push(e.id),
    });
    await sleep(500);

    const published: string[] = [];
    const publishing = (async () => {
      for (let i = 0; i < 60; i++) {
        for (;;) {
          try {
            published.push((await publisher.publish('t.stream', { seq: i })).id);
            break;
          } catch {
            await sleep(100); // the database is down: try again, as a service would
          }
        }
        await sleep(50);
      }
    })();
    await sleep(1000);
    await db.stop(); // mid-stream
    await sleep(1000);
    db = await startDatabase({ dataDir: join(dir, 'data'), port, env: {} });
    await publishing;
    const deadline = Date.now() + 20_000;
    while (
      Date.now() < deadline &&
      (live.length < published.length || durable.length < published.length)
    )
      await sleep(100);
    await sleep(500);
    offLive();
    await stopDurable();
    // What really is in the collection: a publish whose answer was lost to the restart may have
    // been written although the publisher retried it (a second event, with its own id).
    const stored = (
      await pub
        .db('restart')
        .collection('events')
        .find({ topic: 't.stream' }, { projection: { _id: 1 } })
        .toArray()
    ).map((d) => String(d._id));
    await publisher.close();
    await subscriber.close();
    await pub.close();
    await sub.close();

    expect(published.length).toBe(60);
    expect(published.every((id) => stored.includes(id))).toBe(true);
    for (const received of [live, durable]) {
      expect(new Set(received).size).toBe(received.length); // none twice
      expect([...received].sort()).toEqual([...stored].sort()); // every stored event, none lost
    }
  }, 90_000); // it starts and restarts its own database server: slow on a busy machine, and no speed is measured here
});
