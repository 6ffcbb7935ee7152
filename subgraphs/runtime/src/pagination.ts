import { AppError } from '@yuejuan/platform';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** One item of a page with the cursor after which the next page starts. */
export interface Edge<N> {
  cursor: string;
  node: N;
}

/** Relay's page information. */
export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/**
 * A page whose parts are fetched only when resolved. graphql-js's default field resolver calls
 * a function-valued property, so `edges` and `pageInfo` resolve without per-type resolvers; both
 * share one fetch (memoised), and a selection of neither fetches nothing.
 */
export interface LazyPage<N> {
  edges: () => Promise<Edge<N>[]>;
  pageInfo: () => Promise<PageInfo>;
}

/** A lazy page plus `totalCount`, counted only when selected. */
export interface LazyConnection<N> extends LazyPage<N> {
  totalCount: () => Promise<number>;
}

/** Where the items of a page come from. */
export interface PageSource<T extends { _id: unknown }> {
  /** The page size, validated by `pageSize`. */
  first: number;
  /** The items after the cursor, newest `_id` first, limited to `first + 1` (the extra one says whether a next page exists). */
  fetch: () => Promise<T[]>;
}

/** A page source mapping the page's items to other nodes (e.g. bindings to their cases): called only when `edges` is selected. */
export interface MappedPageSource<T extends { _id: unknown }, N> extends PageSource<T> {
  map: (page: T[]) => Promise<N[]>;
}

/** A page source with the count of all items (with the same filter, without the cursor). */
export interface CountedPageSource<T extends { _id: unknown }> extends PageSource<T> {
  count: () => Promise<number>;
}

/** A counted page source mapping its items to other nodes. */
export interface CountedMappedPageSource<T extends { _id: unknown }, N> extends MappedPageSource<
  T,
  N
> {
  count: () => Promise<number>;
}

/** Largest page a client may ask for. */
export const maxPageSize = 100;

/** Validates `first` (1..100) and returns it. */
export function pageSize(first: number | null | undefined): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > maxPageSize) {
    throw new AppError('BAD_USER_INPUT', `每页数量须在 1 到 ${maxPageSize} 之间。`, {
      field: 'first',
    });
  }
  return n;
}

/** Cursors are opaque to clients: the base64url of the sort key (the `_id`). */
export const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');

/** Decodes a cursor, refusing garbage with BAD_USER_INPUT. */
export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!id || encodeCursor(id) !== cursor)
    throw new AppError('BAD_USER_INPUT', '分页游标无效。', { field: 'after' });
  return id;
}

/**
 * Runs `fn` on the first call only and answers every call with that one promise (a rejection
 * too): the memo behind the lazy fields of a connection, and of extras such as `unreadCount`.
 */
export function lazy<V>(fn: () => Promise<V>): () => Promise<V> {
  let value: Promise<V> | undefined;
  return () => (value ??= fn());
}

/**
 * A Relay page whose items are fetched only when `edges` or `pageInfo` is resolved, once for
 * both. Cursors are the items' `_id`s (before `map`); `map` runs on the page (at most `first`
 * items) only when `edges` is resolved. Validate `first` and decode the cursor before calling,
 * so that bad arguments fail on the connection field itself.
 */
export function lazyPage<T extends { _id: unknown }>(source: PageSource<T>): LazyPage<T>;
export function lazyPage<T extends { _id: unknown }, N>(
  source: MappedPageSource<T, N>,
): LazyPage<N>;
export function lazyPage<T extends { _id: unknown }, N>(
  source: PageSource<T> & { map?: (page: T[]) => Promise<N[]> },
): LazyPage<T | N> {
  const { first } = source;
  const items = lazy(source.fetch);
  const page = lazy(async () => (await items()).slice(0, first));
  const { map } = source;
  const edges = lazy(async (): Promise<Edge<T | N>[]> => {
    const ts = await page();
    const nodes: (T | N)[] = map ? await map(ts) : ts;
    if (nodes.length !== ts.length)
      throw new Error(`map answered ${nodes.length} nodes for ${ts.length} items`);
    return ts.map((t, i) => ({ cursor: encodeCursor(String(t._id)), node: nodes[i]! }));
  });
  const pageInfo = lazy(async (): Promise<PageInfo> => {
    const all = await items();
    const last = all.length > 0 ? all[Math.min(first, all.length) - 1] : undefined;
    return {
      hasNextPage: all.length > first,
      endCursor: last ? encodeCursor(String(last._id)) : null,
    };
  });
  return { edges, pageInfo };
}

/**
 * A lazy page (see `lazyPage`) plus `totalCount`, which runs `count` only when selected: a
 * client asking for `{ totalCount }` costs one count, one asking for `{ edges }` one fetch.
 */
export function lazyConnection<T extends { _id: unknown }>(
  source: CountedPageSource<T>,
): LazyConnection<T>;
export function lazyConnection<T extends { _id: unknown }, N>(
  source: CountedMappedPageSource<T, N>,
): LazyConnection<N>;
export function lazyConnection<T extends { _id: unknown }, N>(
  source: CountedPageSource<T> & { map?: (page: T[]) => Promise<N[]> },
): LazyConnection<T | N> {
  const { map, count, ...rest } = source;
  const page: LazyPage<T | N> = map ? lazyPage({ ...rest, map }) : lazyPage(rest);
  return { ...page, totalCount: lazy(count) };
}
