import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Source patches applied to FerretDB v1.24.2 before it is built. They make FerretDB's
 * `{_id: value}` and `{_id: {$in: [...]}}` filters reach the unique `_id` index FerretDB creates
 * for every collection. Unpatched, every `_id` lookup, update and delete reads the whole table
 * and `$in` is not pushed down at all (measured at 100,000 documents: a lookup 330 ms on SQLite
 * and 70 ms on PostgreSQL, a 20-id `$in` 6.6 s on SQLite; all growing linearly):
 *
 * - sqlite-id-index: the index is created on `_ferretdb_sjson->"_id"` (registry.go) but queries,
 *   updates and deletes compare `_ferretdb_sjson->'$._id'`. SQLite reads both as the same JSON
 *   path, but its planner matches index expressions by their text, so it never used the index
 *   (EXPLAIN QUERY PLAN: `SCAN`). The patch writes the lookups the way the index is written.
 * - postgresql-id-index: `{_id: "x"}` is pushed down as `_jsonb->$1 @> $2`, which the btree index
 *   on `(_jsonb->'_id')` cannot serve (FerretDB issue #4646). The patch pushes a string or
 *   ObjectID `_id` down as `_jsonb->'_id' = $n`, the index's own expression (`_id` is never an
 *   array, so equality and containment select the same documents).
 * - id-in: `{_id: {$in: [strings or ObjectIDs]}}` (what a DataLoader batch asks) is pushed down
 *   as `<_id expression> IN (...)` on both backends, so a batch is one indexed command.
 * - sqlite-id-and: SQLite pushed `_id` down only when it was the filter's only key; now the `_id`
 *   condition of any filter is (top-level keys are ANDed; PostgreSQL already did this), so
 *   `{_id: x, n: {$lt: 5}}` reads one row.
 * FerretDB still applies the whole filter to what the backend returns, as for every pushdown.
 *
 * Each patch must match its source exactly once, so a different FerretDB version fails the
 * build loudly rather than building unpatched. Change PATCH_STAMP when the patches change:
 * binaries with another stamp are rebuilt.
 */
export const PATCH_STAMP = 'sqlite-id-index,sqlite-id-and,postgresql-id-index,id-in';

interface Patch {
  file: string;
  /** The exact source text replaced; absent: `to` is appended to the file. */
  from?: string;
  to: string;
  /** How often `from` occurs (every occurrence is replaced); default 1. */
  times?: number;
}

const sqliteCollection = 'internal/backends/sqlite/collection.go';
const pgQuery = 'internal/backends/postgresql/query.go';

const patches: Patch[] = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: `IDColumn = DefaultColumn + "->\\"_id\\"" // yuejuan: the index's own expression`,
  },
  {
    file: sqliteCollection,
    from: `	if params.Filter.Len() == 1 {
		v, _ := params.Filter.Get("_id")`,
    to: `	if params.Filter.Len() >= 1 { // yuejuan: the _id condition of any filter (the rest is applied after)
		v, _ := params.Filter.Get("_id")`,
    times: 2,
  },
  {
    file: sqliteCollection,
    from: `		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)`,
    to: `		if w, a := idInClause(v); w != "" { // yuejuan
			whereClause, args = w, a
		}
		switch v.(type) {
		case string, types.ObjectID:
			whereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)`,
  },
  {
    file: sqliteCollection,
    from: `		switch v.(type) {
		case string, types.ObjectID:
			filterPushdown = true`,
    to: `		if w, a := idInClause(v); w != "" { // yuejuan
			filterPushdown = true
			whereClause, args = w, a
		}
		switch v.(type) {
		case string, types.ObjectID:
			filterPushdown = true`,
  },
  {
    file: sqliteCollection,
    to: `
// idInClause returns a WHERE clause for {$in: [string or ObjectID, ...]} on _id, served by the
// _id index, or "" for any other value (yuejuan patch).
func idInClause(v any) (string, []any) {
	doc, ok := v.(*types.Document)
	if !ok || doc.Len() != 1 {
		return "", nil
	}
	in, _ := doc.Get("$in")
	arr, ok := in.(*types.Array)
	if !ok || arr.Len() == 0 || arr.Len() > 1000 {
		return "", nil
	}
	placeholders := make([]string, arr.Len())
	args := make([]any, arr.Len())
	for i := 0; i < arr.Len(); i++ {
		e := must.NotFail(arr.Get(i))
		switch e.(type) {
		case string, types.ObjectID:
		default:
			return "", nil
		}
		placeholders[i] = "?"
		args[i] = string(must.NotFail(sjson.MarshalSingleValue(e)))
	}
	return fmt.Sprintf(\` WHERE %s IN (%s)\`, metadata.IDColumn, strings.Join(placeholders, ", ")), args
}
`,
  },
  {
    file: pgQuery,
    from: `		case *types.Document:
			iter := v.Iterator()`,
    to: `		case *types.Document:
			if ids := idInValues(rootKey, v); ids != nil { // yuejuan
				placeholders := make([]string, len(ids))
				for i, id := range ids {
					placeholders[i] = p.Next()
					args = append(args, id)
				}
				filters = append(filters, fmt.Sprintf("%s IN (%s)", metadata.IDColumn, strings.Join(placeholders, ", ")))
				continue
			}
			iter := v.Iterator()`,
  },
  {
    file: pgQuery,
    from: `		case float64, string, types.ObjectID, bool, time.Time, int32, int64:
			if f, a := filterEqual(p, key, v, keyOperator); f != "" {`,
    to: `		case float64, string, types.ObjectID, bool, time.Time, int32, int64:
			if idValue(rootKey, v) { // yuejuan: the _id index's own expression
				filters = append(filters, fmt.Sprintf("%s = %s", metadata.IDColumn, p.Next()))
				args = append(args, string(must.NotFail(sjson.MarshalSingleValue(v))))
				continue
			}
			if f, a := filterEqual(p, key, v, keyOperator); f != "" {`,
  },
  {
    file: pgQuery,
    to: `
// idValue reports whether a root filter key and value are an _id equality on a string or
// ObjectID (yuejuan patch).
func idValue(key string, v any) bool {
	if key != "_id" {
		return false
	}
	switch v.(type) {
	case string, types.ObjectID:
		return true
	}
	return false
}

// idInValues returns the marshaled values of {_id: {$in: [string or ObjectID, ...]}}, or nil
// for any other filter (yuejuan patch).
func idInValues(key string, v *types.Document) []any {
	if key != "_id" || v.Len() != 1 {
		return nil
	}
	in, _ := v.Get("$in")
	arr, ok := in.(*types.Array)
	if !ok || arr.Len() == 0 || arr.Len() > 1000 {
		return nil
	}
	res := make([]any, arr.Len())
	for i := 0; i < arr.Len(); i++ {
		e := must.NotFail(arr.Get(i))
		if !idValue(key, e) {
			return nil
		}
		res[i] = string(must.NotFail(sjson.MarshalSingleValue(e)))
	}
	return res
}
`,
  },
];

/** Applies the patches to a copy of the FerretDB module source in `src`. */
export async function applyPatches(src: string): Promise<void> {
  for (const patch of patches) {
    const path = join(src, patch.file);
    if (patch.from === undefined) {
      await appendFile(path, patch.to);
      continue;
    }
    const text = await readFile(path, 'utf8');
    const count = text.split(patch.from).length - 1;
    const times = patch.times ?? 1;
    if (count !== times)
      throw new Error(
        `FerretDB patch for ${patch.file} matched ${count} times (expected ${times})`,
      );
    await writeFile(path, text.replaceAll(patch.from, patch.to));
  }
}
