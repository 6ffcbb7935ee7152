import { AppError } from './errors.ts';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Largest page a client may ask for. */
export const maxPageSize = 100;

/** Validates `first` (1..100) and returns it. */
export function pageSize(first: number | null | undefined): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > maxPageSize) {
    throw new AppError('BAD_USER_INPUT', `每页数量须在 1 到 ${maxPageSize} 之间。`, { field: 'first' });
  }
  return n;
}

/** Cursors are opaque to clients: the base64url of the sort key (the `_id`). */
export const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');

/** Decodes a cursor, refusing garbage with BAD_USER_INPUT. */
export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!id || encodeCursor(id) !== cursor) throw new AppError('BAD_USER_INPUT', '分页游标无效。', { field: 'after' });
  return id;
}

/**
 * Turns items fetched with one extra (limit first+1, newest `_id` first) into a Relay
 * connection; `totalCount` is counted by the caller with the same filter.
 */
export function toConnection<T extends { _id: unknown }>(items: T[], first: number, totalCount: number): Connection<T> {
  const page = items.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(String(node._id)), node }));
  return { edges, pageInfo: { hasNextPage: items.length > first, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
