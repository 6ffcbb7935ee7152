import DataLoader from 'dataloader';
import type { Collection } from 'mongodb';
import type { Model } from 'mongoose';
import { isDuplicateKey } from '../once.ts';
import { BUILT_MARKER, idSets, idSetHead, type IdSets } from './id-sets.ts';
import { databaseKind } from './kind.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- works on any model; T types the result
type AnyModel = Model<any>;

/** Equality on top-level fields: a value, `null` (missing or null), or `{ $in: [...] }`. */
export type OwnedFilter = Record<string, unknown>;

export interface OwnedIndexOptions {
  /** The documents. */
  model: AnyModel;
  /** The field naming their owner (e.g. `lawyerId`); documents without one belong to nobody. */
  owner: string;
  /** Where the owners' id sets live on FerretDB (a collection of the same database). */
  collection: string;
  /** Only documents whose `field` is one of `values` belong (e.g. a review queue's statuses). */
  member?: { field: string; values: unknown[] };
}

/**
 * A model's documents by owner (a lawyer's applications, a procuratorate's queue, a recipient's
 * notifications), as one interface over two strategies:
 * - MongoDB: queries on the owner field, served by the model's `{owner, …, _id}` indexes;
 *   `added` and `left` do nothing.
 * - FerretDB, which answers only `_id` (and `_id $in`, patched) from an index and scans every
 *   collection for any other filter: each owner's ids are kept in an id set read by `_id` (see
 *   id-sets.ts), the documents are read with `_id $in`, and the filter is applied here. The set
 *   may hold more ids than belong (a document not yet inserted, one that left): every document is
 *   checked against the owner and the filter, so callers write `added` before inserting and
 *   `left` after the change. A database written before the sets existed gets them built once, on
 *   first use, from a scan of the model's collection.
 */
export interface OwnedIndex<T> {
  /** Before inserting documents of `owner` (or making them members). */
  added(owner: string, ids: string | string[]): Promise<void>;
  /** After documents stopped being members (e.g. a decided application left the queue). */
  left(owner: string, ids: string | string[]): Promise<void>;
  /** The owner's documents matching `filter`, newest `_id` first, after `before`, at most `limit`. */
  find(
    owner: string,
    filter?: OwnedFilter,
    page?: { limit?: number; before?: string },
  ): Promise<T[]>;
  count(owner: string, filter?: OwnedFilter): Promise<number>;
}

const BUILT = BUILT_MARKER;

/** Every owned index made for a model, so documents written straight into it can be indexed. */
const registry = new WeakMap<
  AnyModel,
  { options: OwnedIndexOptions; index: OwnedIndex<never> }[]
>();

/**
 * Puts documents written straight into a model's collection (test fixtures, imports) into every
 * owned index made for that model, as its service does before inserting. Call it before or after
 * the insert; documents that do not belong (see `member`) are left out.
 */
export async function indexOwned(
  model: AnyModel,
  docs: { _id: unknown; [field: string]: unknown }[],
): Promise<void> {
  for (const { options, index } of registry.get(model) ?? [])
    for (const doc of docs) {
      if (options.member && !options.member.values.includes(doc[options.member.field] ?? null))
        continue;
      if (doc[options.owner] === undefined || doc[options.owner] === null) continue; // no owner
      await index.added(String(doc[options.owner]), String(doc._id));
    }
}

export function ownedIndex<T extends { _id: unknown }>(o: OwnedIndexOptions): OwnedIndex<T> {
  const connection = o.model.db;
  const sets = (() => {
    let value: { coll: Collection; sets: IdSets } | undefined;
    return () => {
      if (!value) {
        const coll = connection.getClient().db(connection.name).collection(o.collection);
        value = { coll, sets: idSets(coll as never) };
      }
      return value;
    };
  })();
  const kind = () => databaseKind(connection.getClient());
  let built: Promise<void> | undefined;
  /** On FerretDB: the sets exist (built once from the documents if this database predates them). */
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
    const { coll } = sets();
    if (await coll.findOne({ _id: BUILT as never })) return;
    const projection = { [o.owner]: 1, ...(o.member && { [o.member.field]: 1 }) };
    const groups = new Map<string, string[]>();
    for await (const doc of o.model
      .find({}, projection)
      .lean<Record<string, unknown>[]>()
      .cursor()) {
      if (o.member && !o.member.values.includes(doc[o.member.field] ?? null)) continue;
      if (doc[o.owner] === undefined || doc[o.owner] === null) continue; // documents of no owner
      const owner = String(doc[o.owner]);
      groups.set(owner, [...(groups.get(owner) ?? []), String(doc._id)]);
    }
    const heads = [...groups].map(([owner, ids]) => idSetHead(owner, ids.sort()));
    for (const head of heads)
      await coll.replaceOne({ _id: head._id as never }, head, { upsert: true });
    await coll.insertOne({ _id: BUILT as never }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  async function viaSets(
    owner: string,
    filter: OwnedFilter,
    page: { limit?: number; before?: string },
  ) {
    const ids = (await sets().sets.read(owner))
      .filter((id) => page.before === undefined || id < page.before)
      .sort()
      .reverse();
    const limit = page.limit ?? Infinity;
    const found: T[] = [];
    const chunk = Number.isFinite(limit) ? Math.max(20, 2 * limit) : 500;
    for (let i = 0; i < ids.length && found.length < limit; i += chunk) {
      const docs = await o.model
        .find({ _id: { $in: ids.slice(i, i + chunk) } })
        .lean<T[]>()
        .exec();
      const byId = new Map(docs.map((d) => [String(d._id), d]));
      for (const id of ids.slice(i, i + chunk)) {
        const doc = byId.get(id) as Record<string, unknown> | undefined;
        if (doc && doc[o.owner] === owner && matches(doc, filter)) found.push(doc as T);
        if (found.length >= limit) break;
      }
    }
    return found;
  }

  const index: OwnedIndex<T> = {
    async added(owner, ids) {
      if (await ready()) await sets().sets.add(owner, ([] as string[]).concat(ids));
    },
    async left(owner, ids) {
      if (await ready()) await sets().sets.remove(owner, ([] as string[]).concat(ids));
    },
    async find(owner, filter = {}, page = {}) {
      if (await ready()) return viaSets(owner, filter, page);
      const query = o.model
        .find({
          [o.owner]: owner,
          ...filter,
          ...(page.before !== undefined && { _id: { $lt: page.before } }),
        })
        .sort({ _id: -1 });
      if (page.limit !== undefined) query.limit(page.limit);
      return query.lean<T[]>().exec();
    },
    async count(owner, filter = {}) {
      if (await ready()) return (await viaSets(owner, filter, {})).length;
      return o.model.countDocuments({ [o.owner]: owner, ...filter }).exec();
    },
  };
  registry.set(o.model, [...(registry.get(o.model) ?? []), { options: o, index: index as never }]);
  return index;
}

/** A per-request loader of owners' documents (newest first): each owner is read once per request. */
export function ownedLoader<T>(
  index: OwnedIndex<T>,
  filter?: OwnedFilter,
): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>((owners) =>
    Promise.all(owners.map((o) => index.find(o, filter))),
  );
}

/** Whether a document matches an OwnedFilter (the subset of MongoDB's semantics it allows). */
export function matches(doc: Record<string, unknown>, filter: OwnedFilter): boolean {
  for (const [field, want] of Object.entries(filter)) {
    const have = doc[field];
    if (want === null) {
      if (have !== null && have !== undefined) return false;
    } else if (typeof want === 'object' && !(want instanceof Date)) {
      const { $in, ...rest } = want as { $in?: unknown[] };
      if (!Array.isArray($in) || Object.keys(rest).length)
        throw new Error(`OwnedFilter supports values, null and $in (field ${field})`);
      if (!$in.some((v) => (v === null ? have === null || have === undefined : v === have)))
        return false;
    } else if (want instanceof Date) {
      if (!(have instanceof Date) || have.getTime() !== want.getTime()) return false;
    } else if (have !== want) return false;
  }
  return true;
}
