// Probe of what FerretDB 1.24 (SQLite backend) charges for `_id` operations on a 10,000-document
// collection: a lookup by `_id` costs as much as the row's position in the table (the `_id`
// index is on `_ferretdb_sjson->"_id"`, the generated SQL filters on `->'$._id'`, so SQLite
// scans), a miss scans the whole table; inserts (unique-index checks included) stay cheap.
// Why the outbox writes only inserts on the hot path. Run: npx tsx infra/bench/src/notifications/db-probe.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectMongo } from '@yuejuan/runtime';
import { startDatabase } from '@yuejuan/database';

const dataDir = await mkdtemp(join(tmpdir(), 'yuejuan-probe-'));
const db = await startDatabase({ dataDir });
const c = await connectMongo(db.uri, 'probe');
const time = async (label: string, n: number, f: (i: number) => Promise<unknown>, par = 1) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i += par)
    await Promise.all(Array.from({ length: Math.min(par, n - i) }, (_, j) => f(i + j)));
  const ms = performance.now() - t0;
  console.log(`${label}: ${(ms / n).toFixed(2)} ms/op`);
};
const size = 10000;
const col = c.db!.collection<{ _id: string; n?: number }>(`q${size}`);
for (let i = 0; i < size; i += 500)
  await col.insertMany(
    Array.from({ length: Math.min(500, size - i) }, (_, j) => ({
      _id: `z${i + j}`,
      n: 0,
      v: { a: 'bbbbbbbbbbbbbbbbbb', c: 'dddddddddddddddddd' },
      kind: 'LOGIN_CODE',
    })),
  );
await time('findOne first', 20, (i) => col.findOne({ _id: `z${i}` }));
await time('findOne last', 20, (i) => col.findOne({ _id: `z${size - 1 - i}` }));
await time('findOne missing', 20, (i) => col.findOne({ _id: `nope${i}` }));
await time('insert', 20, (i) => col.insertOne({ _id: `y${i}` }));
await time('insert dup', 20, (i) => col.insertOne({ _id: `y${i}` }).catch(() => 0));
await c.close();
await db.stop();
await rm(dataDir, { recursive: true, force: true });
