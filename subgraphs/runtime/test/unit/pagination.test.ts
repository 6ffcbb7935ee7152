import { describe, expect, it } from 'vitest';
import { graphql } from 'graphql';
import {
  buildServiceSchema,
  decodeCursor,
  encodeCursor,
  lazy,
  lazyConnection,
  lazyPage,
  pageSize,
} from '../../src/index.ts';

type Item = { _id: string; name: string };
const item = (id: string): Item => ({ _id: id, name: `name-${id}` });

/** A page source over fixed items that records how often it is asked. */
function recordingSource(items: Item[], first: number) {
  const calls = { count: 0, fetch: 0, map: 0 };
  return {
    calls,
    source: {
      first,
      count: async () => {
        calls.count++;
        return items.length;
      },
      fetch: async () => {
        calls.fetch++;
        return items.slice(0, first + 1);
      },
    },
  };
}

describe('pagination arguments and cursors', () => {
  it('encodes opaque cursors and refuses garbage', () => {
    expect(decodeCursor(encodeCursor('abc123'))).toBe('abc123');
    expect(() => decodeCursor('%%%')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  });

  it('bounds the page size', () => {
    expect(() => pageSize(0)).toThrow();
    expect(() => pageSize(101)).toThrow();
    expect(pageSize(undefined)).toBe(20);
  });
});

describe('lazyConnection', () => {
  const cba = [item('c'), item('b'), item('a')];

  it('pages with one extra item: the page, its end cursor and whether more follow', async () => {
    const { source } = recordingSource(cba, 2);
    const conn = lazyConnection(source);
    expect((await conn.edges()).map((e) => [e.cursor, e.node._id])).toEqual([
      [encodeCursor('c'), 'c'],
      [encodeCursor('b'), 'b'],
    ]);
    expect(await conn.pageInfo()).toEqual({ hasNextPage: true, endCursor: encodeCursor('b') });
    expect(await conn.totalCount()).toBe(3);
  });

  it('answers the last page without a next page, and an empty page without an end cursor', async () => {
    const last = lazyConnection(recordingSource(cba, 3).source);
    expect(await last.pageInfo()).toEqual({ hasNextPage: false, endCursor: encodeCursor('a') });
    expect(await last.edges()).toHaveLength(3);
    const empty = lazyConnection(recordingSource([], 5).source);
    expect(await empty.pageInfo()).toEqual({ hasNextPage: false, endCursor: null });
    expect(await empty.edges()).toEqual([]);
    expect(await empty.totalCount()).toBe(0);
  });

  it('runs nothing until a field is asked for, then each query once: edges and pageInfo share the fetch', async () => {
    const { source, calls } = recordingSource(cba, 2);
    const conn = lazyConnection(source);
    expect(calls).toEqual({ count: 0, fetch: 0, map: 0 });
    await Promise.all([conn.edges(), conn.pageInfo(), conn.edges()]);
    expect(calls).toEqual({ count: 0, fetch: 1, map: 0 });
    await conn.totalCount();
    await conn.totalCount();
    expect(calls).toEqual({ count: 1, fetch: 1, map: 0 });
  });

  it("maps only the page, only when edges are asked for, keeping the items' cursors", async () => {
    const { source, calls } = recordingSource(cba, 2);
    const seen: string[][] = [];
    const conn = lazyConnection({
      ...source,
      map: async (page: Item[]) => {
        calls.map++;
        seen.push(page.map((p) => p._id));
        return page.map((p) => p.name);
      },
    });
    expect(await conn.pageInfo()).toEqual({ hasNextPage: true, endCursor: encodeCursor('b') });
    expect(calls.map).toBe(0);
    expect(await conn.edges()).toEqual([
      { cursor: encodeCursor('c'), node: 'name-c' },
      { cursor: encodeCursor('b'), node: 'name-b' },
    ]);
    await conn.edges();
    expect(seen).toEqual([['c', 'b']]);
  });

  it('refuses a map that answers a different number of nodes', async () => {
    const conn = lazyPage({ first: 2, fetch: async () => cba, map: async () => ['only one'] });
    await expect(conn.edges()).rejects.toThrow(/1 nodes for 2 items/);
  });

  it('remembers a failure instead of asking again', async () => {
    let asked = 0;
    const failing = lazy(async () => {
      asked++;
      throw new Error('database down');
    });
    await expect(failing()).rejects.toThrow('database down');
    await expect(failing()).rejects.toThrow('database down');
    expect(asked).toBe(1);
  });
});

describe('lazyConnection under GraphQL execution', () => {
  const sdl = /* GraphQL */ `
    type Query {
      things(first: Int): ThingConnection!
    }
    type ThingConnection {
      edges: [ThingEdge!]!
      pageInfo: PageInfo!
      totalCount: Int!
    }
    type ThingEdge {
      cursor: String!
      node: Thing!
    }
    type Thing {
      name: String!
    }
    type PageInfo {
      hasNextPage: Boolean!
      endCursor: String
    }
  `;
  function run(source: string) {
    const { source: pageSource, calls } = recordingSource([item('c'), item('b'), item('a')], 2);
    const schema = buildServiceSchema(sdl, { Query: { things: () => lazyConnection(pageSource) } });
    return graphql({ schema, source }).then((result) => ({ result, calls }));
  }

  it('counts only for { totalCount }', async () => {
    const { result, calls } = await run('{ things { totalCount } }');
    expect(result).toEqual({ data: { things: { totalCount: 3 } } });
    expect(calls).toEqual({ count: 1, fetch: 0, map: 0 });
  });

  it('fetches once for edges and pageInfo, and does not count', async () => {
    const { result, calls } = await run(
      '{ things { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      things: {
        edges: [
          { cursor: encodeCursor('c'), node: { name: 'name-c' } },
          { cursor: encodeCursor('b'), node: { name: 'name-b' } },
        ],
        pageInfo: { hasNextPage: true, endCursor: encodeCursor('b') },
      },
    });
    expect(calls).toEqual({ count: 0, fetch: 1, map: 0 });
  });

  it('runs nothing for { __typename }', async () => {
    const { result, calls } = await run('{ things { __typename } }');
    expect(result).toEqual({ data: { things: { __typename: 'ThingConnection' } } });
    expect(calls).toEqual({ count: 0, fetch: 0, map: 0 });
  });
});
