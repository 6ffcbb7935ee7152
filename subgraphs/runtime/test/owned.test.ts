import { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectMongo,
  databaseKind,
  idSets,
  ownedIndex,
  setDatabaseKind,
  type OwnedIndex,
} from '../src/index.ts';
import { openTestDatabase, testMongoUri, type TestDatabase } from '../src/testing/index.ts';

interface Item {
  _id: string;
  ownerId: string;
  status: string;
  readAt?: Date | null;
}
const itemSchema = new Schema(
  {
    _id: String,
    ownerId: { type: String, required: true },
    status: { type: String, required: true },
    readAt: { type: Date, default: null },
  },
  { versionKey: false },
);
// The index the MongoDB strategy's queries need: owner, then newest first.
itemSchema.index({ ownerId: 1, _id: -1 });
const itemModel = (c: Connection) => c.model('Item', itemSchema, 'items');
const id = (i: number) => `6000000000000000000${String(i).padStart(5, '0')}`;

describe('id sets: per-owner ids kept by _id inserts', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase('idsets');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('keeps every one of 50 concurrent additions to one owner, and removals', async () => {
    const sets = idSets(db.getClient().db(db.name).collection('sets_a'));
    await Promise.all(Array.from({ length: 50 }, (_, i) => sets.add('owner', [id(i)])));
    expect((await sets.read('owner')).sort()).toEqual(Array.from({ length: 50 }, (_, i) => id(i)));
    await Promise.all([sets.remove('owner', [id(3)]), sets.remove('owner', [id(7), id(9)])]);
    const left = await sets.read('owner');
    expect(left).toHaveLength(47);
    expect(left).not.toContain(id(7));
    expect(await sets.read('nobody')).toEqual([]);
  });

  it('reads the same set through a stale head (changes after it are applied)', async () => {
    const coll = db.getClient().db(db.name).collection<{ _id: string; n?: number }>('sets_b');
    const sets = idSets(coll as never);
    for (let i = 0; i < 5; i++) await sets.add('o', [id(i)]);
    // As if a late writer had rewritten the head with an older state.
    await coll.updateOne({ _id: 'o' }, { $set: { n: 2, ids: [id(0), id(1)] } });
    expect(await sets.read('o')).toEqual([id(0), id(1), id(2), id(3), id(4)]);
    await sets.add('o', [id(5)]);
    expect(await sets.read('o')).toHaveLength(6);
  });
});

describe('ownedIndex: the same answers from id sets (FerretDB) and owner queries (MongoDB)', () => {
  let db: TestDatabase;
  let queries: Connection; // the same database, forced to the MongoDB strategy
  let viaSets: OwnedIndex<Item>;
  let viaQueries: OwnedIndex<Item>;
  const options = { owner: 'ownerId', collection: 'owner_items' };

  beforeAll(async () => {
    db = await openTestDatabase('owned');
    queries = await connectMongo(testMongoUri(), db.name);
    setDatabaseKind(queries.getClient(), 'mongodb');
    const model = itemModel(db);
    await model.createCollection();
    await model.createIndexes();
    viaSets = ownedIndex<Item>({ model, ...options });
    viaQueries = ownedIndex<Item>({ model: itemModel(queries), ...options });
    // Documents written through the index, as services do (added, then inserted).
    for (let i = 0; i < 30; i++) {
      const doc = { _id: id(i), ownerId: `o${i % 3}`, status: i % 4 === 0 ? 'OPEN' : 'DONE' };
      await viaSets.added(doc.ownerId, doc._id);
      await model.create(doc);
    }
  });
  afterAll(async () => {
    await queries?.close();
    await db?.drop();
  });

  it('finds, filters, pages and counts alike', async () => {
    const ids = (docs: Item[]) => docs.map((d) => d._id);
    for (const owner of ['o0', 'o1', 'o2', 'none']) {
      const all = await viaQueries.find(owner);
      expect(ids(await viaSets.find(owner))).toEqual(ids(all));
      expect(ids(await viaSets.find(owner, { status: 'OPEN' }))).toEqual(
        ids(await viaQueries.find(owner, { status: 'OPEN' })),
      );
      const page = { limit: 3, before: all[2]?._id };
      expect(ids(await viaSets.find(owner, {}, page))).toEqual(
        ids(await viaQueries.find(owner, {}, page)),
      );
      expect(await viaSets.count(owner, { status: { $in: ['OPEN', 'X'] } })).toBe(
        await viaQueries.count(owner, { status: { $in: ['OPEN', 'X'] } }),
      );
      expect(await viaSets.count(owner, { readAt: null })).toBe(all.length);
    }
    expect(ids(await viaSets.find('o0'))[0]).toBe(id(27)); // newest first
  });

  it('ignores ids that were added but never inserted, or belong elsewhere', async () => {
    await viaSets.added('o1', id(999)); // a crash between added and the insert
    await viaSets.added('o1', id(0)); // o0's document
    expect(await viaSets.count('o1')).toBe(await viaQueries.count('o1'));
  });

  it('builds the sets once from the documents of a database that predates them', async () => {
    const model = db.model('Legacy', itemSchema, 'legacy_items');
    await model.insertMany(
      Array.from({ length: 12 }, (_, i) => ({ _id: id(i), ownerId: `o${i % 2}`, status: 'OPEN' })),
    );
    const legacy = ownedIndex<Item>({
      model,
      owner: 'ownerId',
      collection: 'owner_legacy',
      member: { field: 'status', values: ['OPEN'] },
    });
    expect(await legacy.count('o1')).toBe(6);
    await legacy.left('o1', id(1));
    await model.updateOne({ _id: id(1) }, { $set: { status: 'DONE' } });
    expect(await legacy.count('o1', { status: 'OPEN' })).toBe(5);
  });
});

describe('the MongoDB strategy is served by the model index', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase('ownedexplain');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('uses {ownerId, _id} (explain on MongoDB; on FerretDB, which plans differently, the index exists)', async () => {
    const model = itemModel(db);
    await model.createCollection();
    await model.createIndexes();
    const filter = { ownerId: 'o1', status: 'OPEN' };
    if ((await databaseKind(db.getClient())) === 'mongodb') {
      const plan = JSON.stringify(await model.find(filter).sort({ _id: -1 }).limit(21).explain());
      expect(plan).toContain('IXSCAN');
      expect(plan).toContain('ownerId_1__id_-1');
    } else {
      const indexes = await model.collection.indexes();
      expect(indexes.map((i) => i.key)).toContainEqual({ ownerId: 1, _id: -1 });
    }
  });
});
