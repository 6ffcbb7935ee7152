import { join } from 'node:path';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, ensureFerretDB, startDatabase, type DatabaseHandle } from '../src/index.ts';
import { cleanupTemps, tempDir, withClient } from './helpers.ts';

// The patched FerretDB build (src/patches.ts) answers `{_id: v}` and `{_id: {$in: [...]}}` from
// the `_id` index on both backends; other filters still scan. FerretDB's `explain` returns the
// backend's own plan: SQLite's EXPLAIN QUERY PLAN lines, PostgreSQL's EXPLAIN (FORMAT JSON).
const log = (line: string) => console.log(`[database] ${line}`);

const plan = (explained: Document): string => JSON.stringify(explained['queryPlanner']);
const indexed: Record<(typeof backends)[number], RegExp> = {
  sqlite: /SEARCH \S+ USING INDEX \S+__id_ /,
  // An Index Scan, or a Bitmap Index Scan under a Bitmap Heap Scan (the planner picks by size).
  postgresql: /"Index Name":"[^"]+__id__[^"]*"/,
};
const scanned: Record<(typeof backends)[number], RegExp> = {
  sqlite: /detail=SCAN /,
  postgresql: /"Node Type":"Seq Scan"/,
};

describe.each(backends)('FerretDB %s: lookups by _id use the _id index', (backend) => {
  let db: DatabaseHandle;
  beforeAll(async () => {
    await ensureFerretDB({ log });
    db = await startDatabase({ dataDir: join(await tempDir(), 'data'), backend, env: {}, log });
    await withClient(db.uri, async (c) => {
      const docs = Array.from({ length: 300 }, (_, i) => ({ _id: `id${i}`, owner: `o${i % 7}` }));
      await c.db('ids').collection<{ _id: string; owner: string }>('things').insertMany(docs);
    });
  }, 180_000);
  afterAll(async () => {
    await db?.stop();
    await cleanupTemps();
  });

  it('finds one document by _id from the index', async () => {
    await withClient(db.uri, async (c) => {
      const things = c.db('ids').collection<{ _id: string; owner: string }>('things');
      expect(await things.findOne({ _id: 'id42' })).toEqual({ _id: 'id42', owner: 'o0' });
      expect(await things.findOne({ _id: 'absent' })).toBeNull();
      expect(plan(await things.find({ _id: 'id42' }).explain())).toMatch(indexed[backend]);
      // With other conditions beside it, the _id condition still picks the row.
      const both = { _id: 'id42', owner: { $ne: 'o1' } };
      expect(await things.find(both).toArray()).toEqual([{ _id: 'id42', owner: 'o0' }]);
      expect(await things.countDocuments({ _id: 'id42', owner: 'o1' })).toBe(0);
      expect(plan(await things.find(both).explain())).toMatch(indexed[backend]);
    });
  });

  it('finds a batch by _id $in from the index, and updates and deletes by _id', async () => {
    await withClient(db.uri, async (c) => {
      const things = c
        .db('ids')
        .collection<{ _id: string; owner: string; seen?: boolean }>('things');
      const ids = ['id3', 'id299', 'nope', 'id150'];
      const found = await things.find({ _id: { $in: ids } }).toArray();
      expect(found.map((d) => d._id).sort()).toEqual(['id150', 'id299', 'id3']);
      expect(plan(await things.find({ _id: { $in: ids } }).explain())).toMatch(indexed[backend]);
      // A mixed $in is not pushed down but still answers correctly.
      expect(await things.countDocuments({ _id: { $in: ['id1', 7 as never] } })).toBe(1);

      expect((await things.updateOne({ _id: 'id7' }, { $set: { seen: true } })).modifiedCount).toBe(
        1,
      );
      expect(await things.findOne({ _id: 'id7' })).toMatchObject({ seen: true });
      expect((await things.deleteOne({ _id: 'id8' })).deletedCount).toBe(1);
      expect(await things.findOne({ _id: 'id8' })).toBeNull();
    });
  });

  it('still scans for other fields (the services keep such filters off hot paths)', async () => {
    await withClient(db.uri, async (c) => {
      const things = c.db('ids').collection('things');
      expect(plan(await things.find({ owner: 'o3' }).explain())).toMatch(scanned[backend]);
    });
  });
});
