import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { isDuplicateKey } from '../once.ts';
import { BUILT_MARKER } from './id-sets.ts';
import { databaseKind } from './kind.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- works on any model; T types the result
type AnyModel = Model<any>;

export interface KeyIndexOptions {
  /** The documents (e.g. cases). */
  model: AnyModel;
  /**
   * The fields of their natural key, in order (e.g. `procuratorateId`, `departmentCaseNumber`);
   * on MongoDB a unique index of the model over them. Every field but the last must be free of
   * `:` (the key document's `_id` joins them with it).
   */
  fields: string[];
  /** Where the key documents live on FerretDB (a collection of the same database). */
  collection: string;
}

/** The natural key's values by field name. */
export type KeyValues = Record<string, string>;

/**
 * A model's documents by a natural key (a case by procuratorate and 部门受案号, a lawyer by
 * licence number), over two strategies:
 * - MongoDB: a query on the key's fields, served by the model's unique index over them, which
 *   also decides between two inserts of the same key.
 * - FerretDB, which answers only `_id` from an index: a key document `{_id: "<a>:<b>", id}` names
 *   the document's `_id`. It is inserted before the document under the unique `_id`, so of two
 *   concurrent inserts of one key exactly one takes it and both use its id; the document's own
 *   insert under that id is then the same for both (the loser's is a duplicate). A key document
 *   whose document was never inserted (a writer stopped between the two) is finished by the next
 *   insert of that key. A database written before the key documents existed gets them built once,
 *   on first use, from a scan of the model's collection.
 */
export interface KeyIndex<T> {
  /** The document with these key values, or null. */
  find(key: KeyValues): Promise<T | null>;
  /**
   * The id of the document with these key values, inserting it first if there is none:
   * `insert(id)` inserts the document under `id` (and throws a duplicate-key error if it exists).
   * Exactly one of concurrent callers gets `created: true`.
   */
  insertOnce(
    key: KeyValues,
    newId: () => string,
    insert: (id: string) => Promise<unknown>,
  ): Promise<{ id: string; created: boolean }>;
}

interface KeyDoc {
  _id: string;
  id: string;
}

/** Every key index made for a model, so documents written straight into it can be indexed. */
const registry = new WeakMap<AnyModel, KeyIndexOptions[]>();

/** The key document's `_id` for these values. */
export function keyOf(fields: string[], key: KeyValues): string {
  return fields
    .map((f, i) => {
      const v = key[f];
      if (typeof v !== 'string') throw new Error(`key field ${f} missing`);
      if (i < fields.length - 1 && v.includes(':')) throw new Error(`key field ${f} holds ':'`);
      return v;
    })
    .join(':');
}

/**
 * Writes the key documents of documents written straight into a model's collection (test
 * fixtures, imports), as its services do before inserting; nothing on MongoDB.
 */
export async function indexKeys(
  model: AnyModel,
  docs: { _id: unknown; [field: string]: unknown }[],
): Promise<void> {
  for (const options of registry.get(model) ?? []) {
    if ((await databaseKind(model.db.getClient())) !== 'ferretdb') return;
    const coll = model.db.getClient().db(model.db.name).collection<KeyDoc>(options.collection);
    for (const doc of docs)
      await coll
        .insertOne({ _id: keyOf(options.fields, doc as KeyValues), id: String(doc._id) })
        .catch((err: unknown) => {
          if (!isDuplicateKey(err)) throw err;
        });
  }
}

/**
 * Replaces every key document of a collection with `keys` (key → id) and marks it built: for
 * loading data straight into a database (benchmarks) while nothing else writes to it.
 */
export async function replaceKeys(
  collection: Collection<KeyDoc>,
  keys: Map<string, string>,
): Promise<void> {
  await collection.deleteMany({});
  const docs = [...keys].map(([key, id]) => ({ _id: key, id }));
  for (let i = 0; i < docs.length; i += 1000)
    await collection.insertMany(docs.slice(i, i + 1000), { ordered: false });
  await collection.insertOne({ _id: BUILT_MARKER, id: '' });
}

export function keyIndex<T extends { _id: unknown }>(o: KeyIndexOptions): KeyIndex<T> {
  const connection = o.model.db;
  const keys = () => connection.getClient().db(connection.name).collection<KeyDoc>(o.collection);
  const kind = () => databaseKind(connection.getClient());
  const fieldsOf = (key: KeyValues) => Object.fromEntries(o.fields.map((f) => [f, key[f]]));
  const matches = (doc: Record<string, unknown> | null, key: KeyValues) =>
    !!doc && o.fields.every((f) => doc[f] === key[f]);
  let built: Promise<void> | undefined;
  /** On FerretDB: the key documents exist (built once from the documents if they predate them). */
  const ready = async (): Promise<boolean> => {
    if ((await kind()) !== 'ferretdb') return false;
    built ??= build().catch((err: unknown) => {
      built = undefined;
      throw err;
    });
    await built;
    return true;
  };

  async function build(): Promise<void> {
    const coll = keys();
    if (await coll.findOne({ _id: BUILT_MARKER })) return;
    const projection = Object.fromEntries(o.fields.map((f) => [f, 1]));
    // In batches (a large collection is one scan and a few hundred inserts); a key document
    // already there (written by a service meanwhile) names its document and is kept.
    const write = (batch: KeyDoc[]) =>
      batch.length === 0
        ? undefined
        : coll.insertMany(batch, { ordered: false }).catch((err: unknown) => {
            const errors = (err as { writeErrors?: unknown[] | unknown }).writeErrors;
            const all = Array.isArray(errors) ? errors : errors ? [errors] : [err];
            if (!all.every(isDuplicateKey)) throw err;
          });
    let batch: KeyDoc[] = [];
    for await (const doc of o.model
      .find({}, projection)
      .lean<Record<string, unknown>[]>()
      .cursor()) {
      batch.push({ _id: keyOf(o.fields, doc as KeyValues), id: String(doc._id) });
      if (batch.length >= 1000) {
        await write(batch);
        batch = [];
      }
    }
    await write(batch);
    await coll.insertOne({ _id: BUILT_MARKER, id: '' }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  const byQuery = (key: KeyValues) => o.model.findOne(fieldsOf(key)).lean<T>().exec();

  const index: KeyIndex<T> = {
    async find(key) {
      // A value no key can hold (e.g. a `:` in a procuratorate id typed by a caller) finds nothing.
      const formed = o.fields.every(
        (f, i) =>
          typeof key[f] === 'string' && (i === o.fields.length - 1 || !key[f].includes(':')),
      );
      if (!formed) return null;
      if (!(await ready())) return byQuery(key);
      const ref = await keys().findOne({ _id: keyOf(o.fields, key) });
      if (!ref) return null;
      const doc = await o.model.findById(ref.id).lean<T>().exec();
      return matches(doc as Record<string, unknown> | null, key) ? doc : null;
    },

    async insertOnce(key, newId, insert) {
      if (!(await ready())) {
        const existing = await byQuery(key);
        if (existing) return { id: String(existing._id), created: false };
        const id = newId();
        try {
          await insert(id);
          return { id, created: true };
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          const winner = await byQuery(key); // the unique index chose another insert
          if (!winner) throw err;
          return { id: String(winner._id), created: false };
        }
      }
      const _id = keyOf(o.fields, key);
      let id = newId();
      try {
        await keys().insertOne({ _id, id });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        id = (await keys().findOne({ _id }))!.id; // another insert holds the key: its id
        if (await o.model.exists({ _id: id })) return { id, created: false };
      }
      try {
        await insert(id);
        return { id, created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        if (await o.model.exists({ _id: id })) return { id, created: false };
        // Not our id: a document of this key without a key document (written by a version
        // before them, after the build). Found by its fields once (a scan) and named from now on.
        const other = await o.model.findOne(fieldsOf(key)).select('_id').lean<T>().exec();
        if (!other) throw err;
        await keys().updateOne({ _id }, { $set: { id: String(other._id) } });
        return { id: String(other._id), created: false };
      }
    },
  };
  registry.set(o.model, [...(registry.get(o.model) ?? []), o]);
  return index;
}
