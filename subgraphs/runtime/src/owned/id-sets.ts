import type { Collection } from 'mongodb';
import { isDuplicateKey } from '../once.ts';

/**
 * Sets of document ids per owner, read and written only by `_id`. One collection holds, per
 * owner, a head `{_id: owner, n, ids}` (the set after the owner's first `n` changes) and the
 * changes themselves `{_id: "<owner>#<i>", add, remove}`.
 *
 * A change is an insert under the unique `_id` of its position, so of two concurrent changes
 * exactly one takes position `i` and the other retries at `i + 1` (FerretDB applies an update's
 * filter outside the write, so a read-modify-write of one document could lose a change). The
 * head is then rewritten as a cache; a reader starts from the head and applies the changes
 * stored after it, so a head that is stale (a writer stopped before rewriting it, or a late
 * rewrite won) costs a few more `_id` reads, never a lost change. Changes older than the head by
 * KEPT are deleted: a reader would need a head that many changes stale to miss one.
 */
export interface IdSets {
  /** The owner's ids, in the order they were added. */
  read(owner: string): Promise<string[]>;
  add(owner: string, ids: string[]): Promise<void>;
  remove(owner: string, ids: string[]): Promise<void>;
}

interface Head {
  _id: string;
  n: number;
  ids: string[];
}
interface Change {
  _id: string;
  add?: string[];
  remove?: string[];
}
type Doc = Head | Change;

/** Changes kept behind the head (see IdSets). */
const KEPT = 16;
const changeId = (owner: string, i: number) => `${owner}#${i}`;

export function idSets(collection: Collection<Doc>): IdSets {
  const heads = collection as unknown as Collection<Head>;
  const changes = collection as unknown as Collection<Change>;

  async function current(owner: string): Promise<{ n: number; ids: string[] }> {
    const head = await heads.findOne({ _id: owner });
    let n = head?.n ?? 0;
    let ids = head?.ids ?? [];
    for (;;) {
      const change = await changes.findOne({ _id: changeId(owner, n) });
      if (!change) return { n, ids };
      ids = apply(ids, change);
      n++;
    }
  }

  async function change(owner: string, add: string[], remove: string[]): Promise<void> {
    if (add.length === 0 && remove.length === 0) return;
    for (;;) {
      const { n, ids } = await current(owner);
      // Nothing to change (every id already in, none to remove there): no write.
      const have = new Set(ids);
      if (add.every((id) => have.has(id)) && !remove.some((id) => have.has(id))) return;
      try {
        await changes.insertOne({
          _id: changeId(owner, n),
          ...(add.length && { add }),
          ...(remove.length && { remove }),
        });
      } catch (err) {
        if (isDuplicateKey(err)) continue; // another change took position n: read it and retry
        throw err;
      }
      const next: Head = { _id: owner, n: n + 1, ids: apply(ids, { _id: '', add, remove }) };
      // Only forward (a stale rewrite is harmless, see above); a missing head is inserted (a
      // duplicate then means a newer head exists).
      const moved = await heads.replaceOne({ _id: owner, n: { $lt: n + 1 } }, next);
      if (moved.matchedCount === 0)
        await heads.insertOne(next).catch((err: unknown) => {
          if (!isDuplicateKey(err)) throw err;
        });
      if (n >= KEPT) await changes.deleteOne({ _id: changeId(owner, n - KEPT) });
      return;
    }
  }

  return {
    read: async (owner) => (await current(owner)).ids,
    add: (owner, ids) => change(owner, ids, []),
    remove: (owner, ids) => change(owner, [], ids),
  };
}

function apply(ids: string[], change: Change): string[] {
  const removed = new Set(change.remove ?? []);
  const kept = removed.size ? ids.filter((id) => !removed.has(id)) : ids;
  const present = new Set(kept);
  return [...kept, ...(change.add ?? []).filter((id) => !present.has(id) && present.add(id))];
}

/** The head document of a set, for seeding data straight into the collection. */
export const idSetHead = (owner: string, ids: string[]): Head => ({ _id: owner, n: 0, ids });

/** Marks a set collection as built (see ownedIndex), so it is not built again from a scan. */
export const BUILT_MARKER = '$built';

/**
 * Replaces every set of a collection with `sets` (owner → ids) and marks it built: for loading
 * data straight into a database (benchmarks, imports) while nothing else writes to it.
 */
export async function replaceIdSets(
  collection: Collection<Doc>,
  sets: Map<string, string[]>,
): Promise<void> {
  await collection.deleteMany({});
  const heads = [...sets].map(([owner, ids]) => idSetHead(owner, ids));
  for (let i = 0; i < heads.length; i += 1000)
    await collection.insertMany(heads.slice(i, i + 1000), { ordered: false });
  await collection.insertOne({ _id: BUILT_MARKER } as Change);
}
