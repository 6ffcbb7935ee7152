import DataLoader from 'dataloader';
import type { Model } from 'mongoose';
import { AppError } from '@yuejuan/platform';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- loaders work on any model; T types the result
type AnyModel = Model<any>;

/**
 * A per-request loader of documents by `_id`: every lookup of one tick becomes one `$in`
 * query, so a list of N entities costs one read, not N. A batch of one asks `{_id: id}`:
 * the only filter FerretDB's SQLite backend answers from its index (`$in` is a scan of the
 * collection there), and most loads in a request are of one entity (the lawyer, the case).
 * Missing ids resolve to null.
 */
export function byIdLoader<T>(model: AnyModel): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    const docs = await model
      .find(ids.length === 1 ? { _id: ids[0] } : { _id: { $in: ids } })
      .lean<T[]>()
      .exec();
    const byId = new Map(docs.map((d) => [String((d as { _id: unknown })._id), d]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * The document a stored reference names, for a non-null field: NOT_FOUND (`what`不存在) when it
 * is gone, instead of a null the schema does not allow.
 */
export async function existing<T>(
  loader: DataLoader<string, T | null>,
  id: string,
  what: string,
): Promise<T> {
  const doc = await loader.load(id);
  if (!doc) throw new AppError('NOT_FOUND', `${what}不存在。`);
  return doc;
}

/**
 * A per-request loader of lists by one field (e.g. the applications of each lawyer): one
 * `$in` query for all keys of a tick, grouped back per key, each group in `sort` order.
 */
export function groupLoader<T>(
  model: AnyModel,
  field: string,
  sort: Record<string, 1 | -1> = { _id: -1 },
): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const docs = await model
      .find({ [field]: { $in: keys } } as never)
      .sort(sort)
      .lean<T[]>()
      .exec();
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const d of docs) groups.get(String((d as Record<string, unknown>)[field]))?.push(d);
    return keys.map((k) => groups.get(k) ?? []);
  });
}
