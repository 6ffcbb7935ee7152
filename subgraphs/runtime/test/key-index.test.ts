import { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectMongo,
  databaseKind,
  indexKeys,
  keyIndex,
  setDatabaseKind,
  type KeyIndex,
} from '../src/index.ts';
import { openTestDatabase, testMongoUri, type TestDatabase } from '../src/testing/index.ts';

interface Thing {
  _id: string;
  ownerId: string;
  number: string;
  label: string;
}
const thingSchema = new Schema(
  {
    _id: String,
    ownerId: { type: String, required: true },
    number: { type: String, required: true },
    label: String,
  },
  { versionKey: false },
);
// What the MongoDB strategy relies on: the natural key is unique and indexed.
thingSchema.index({ ownerId: 1, number: 1 }, { unique: true });
const thingModel = (c: Connection) => c.model('Thing', thingSchema, 'things');
const fields = ['ownerId', 'number'];
let ids = 0;
const newId = () => `t${String(++ids).padStart(6, '0')}`;

/** Inserts a thing of `key` once through the index; answers whether this call created it. */
const put = (index: KeyIndex<Thing>, conn: Connection, key: { ownerId: string; number: string }) =>
  index.insertOnce(key, newId, (id) =>
    conn.model<Thing>('Thing').create({ _id: id, ...key, label: 'x' }),
  );

describe('keyIndex: a document by its natural key on both strategies', () => {
  let db: TestDatabase;
  let queries: Connection; // the same database, forced to the MongoDB strategy
  let viaKeys: KeyIndex<Thing>;
  let viaQueries: KeyIndex<Thing>;
  let things: ReturnType<typeof thingModel>;

  beforeAll(async () => {
    db = await openTestDatabase('keys');
    queries = await connectMongo(testMongoUri(), db.name);
    setDatabaseKind(queries.getClient(), 'mongodb');
    const model = (things = thingModel(db));
    const queried = queries.model('Thing', thingSchema, 'things');
    await model.createCollection();
    await model.createIndexes();
    viaKeys = keyIndex<Thing>({ model, fields, collection: 'thing_keys' });
    viaQueries = keyIndex<Thing>({
      model: queried,
      fields,
      collection: 'thing_keys',
    });
  });
  afterAll(async () => {
    await queries?.close();
    await db?.drop();
  });

  it('creates one document of 20 concurrent inserts of one key, and all get its id', async () => {
    const kind = await databaseKind(db.getClient());
    for (const [index, conn, owner] of [
      [viaKeys, db as Connection, 'p1'],
      [viaQueries, queries, 'p2'],
    ] as const) {
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          put(index, conn, { ownerId: owner, number: '〔2025〕1号' }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await things.countDocuments({ ownerId: owner })).toBe(1);
      const found = await index.find({ ownerId: owner, number: '〔2025〕1号' });
      expect(found?._id).toBe(results[0]!.id);
    }
    if (kind === 'ferretdb') {
      // The key document is what the FerretDB strategy read.
      const ref = await db.collection('thing_keys').findOne({ _id: 'p1:〔2025〕1号' as never });
      expect(ref?.id).toBe((await viaKeys.find({ ownerId: 'p1', number: '〔2025〕1号' }))!._id);
    }
  });

  it('finds nothing for an unknown key or another owner, on both', async () => {
    for (const index of [viaKeys, viaQueries]) {
      expect(await index.find({ ownerId: 'p1', number: 'none' })).toBeNull();
      expect(await index.find({ ownerId: 'p9', number: '〔2025〕1号' })).toBeNull();
    }
  });

  it('finishes a key whose document was never inserted (a writer stopped in between)', async () => {
    if ((await databaseKind(db.getClient())) !== 'ferretdb') return;
    await viaKeys.find({ ownerId: 'x', number: 'y' }); // built
    await db.collection('thing_keys').insertOne({ _id: 'p3:7' as never, id: 'dangling01' });
    expect(await viaKeys.find({ ownerId: 'p3', number: '7' })).toBeNull();
    const r = await put(viaKeys, db, { ownerId: 'p3', number: '7' });
    expect(r).toEqual({ id: 'dangling01', created: true });
    expect((await viaKeys.find({ ownerId: 'p3', number: '7' }))?._id).toBe('dangling01');
  });

  it('names a document a writer without key documents inserted (a rolling upgrade)', async () => {
    await things.create({ _id: 'old-writer', ownerId: 'p4', number: '1', label: 'x' });
    const r = await put(viaKeys, db, { ownerId: 'p4', number: '1' });
    expect(r).toEqual({ id: 'old-writer', created: false });
    expect((await viaKeys.find({ ownerId: 'p4', number: '1' }))?._id).toBe('old-writer');
  });

  it('indexKeys writes the key documents of documents inserted straight into the collection', async () => {
    const model = things;
    await model.create({ _id: 'fixture1', ownerId: 'p5', number: '2', label: 'x' });
    await indexKeys(model, [{ _id: 'fixture1', ownerId: 'p5', number: '2' }]);
    expect((await viaKeys.find({ ownerId: 'p5', number: '2' }))?._id).toBe('fixture1');
  });
});

describe('keyIndex: a database that predates its key documents', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase('keyslegacy');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('builds them once from the documents, then answers and inserts by them', async () => {
    const model = db.model('Thing', thingSchema, 'legacy_things');
    await model.createIndexes();
    await model.insertMany(
      Array.from({ length: 30 }, (_, i) => ({
        _id: `legacy${i}`,
        ownerId: `p${i % 3}`,
        number: String(i),
        label: 'x',
      })),
    );
    // One key document already written by a newer writer before the build ran.
    await db.collection('legacy_keys').insertOne({ _id: 'p0:3' as never, id: 'legacy3' });
    const index = keyIndex<Thing>({ model, fields, collection: 'legacy_keys' });
    expect((await index.find({ ownerId: 'p1', number: '4' }))?._id).toBe('legacy4');
    expect(await index.find({ ownerId: 'p0', number: '4' })).toBeNull();
    expect((await index.find({ ownerId: 'p0', number: '3' }))?._id).toBe('legacy3');
    expect((await index.find({ ownerId: 'p2', number: '29' }))?._id).toBe('legacy29');
    const again = await index.insertOnce({ ownerId: 'p2', number: '5' }, newId, (id) =>
      model.create({ _id: id, ownerId: 'p2', number: '5' }),
    );
    expect(again).toEqual({ id: 'legacy5', created: false });
    if ((await databaseKind(db.getClient())) === 'ferretdb')
      expect(await db.collection('legacy_keys').countDocuments()).toBe(31); // 30 and the marker
  });
});

describe('the MongoDB strategy is served by the unique index over the key', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase('keysexplain');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('uses {ownerId, number} (explain on MongoDB; on FerretDB the unique index exists)', async () => {
    const model = db.model('Thing', thingSchema, 'explained_things');
    await model.createCollection();
    await model.createIndexes();
    const filter = { ownerId: 'p1', number: '1' };
    if ((await databaseKind(db.getClient())) === 'mongodb') {
      const plan = JSON.stringify(await model.findOne(filter).explain());
      expect(plan).toContain('IXSCAN');
      expect(plan).toContain('ownerId_1_number_1');
    } else {
      const indexes = await model.collection.indexes();
      expect(indexes).toContainEqual(
        expect.objectContaining({ key: { ownerId: 1, number: 1 }, unique: true }),
      );
    }
  });
});
