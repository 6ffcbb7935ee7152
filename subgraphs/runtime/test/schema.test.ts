import { describe, expect, it } from 'vitest';
import { graphql } from 'graphql';
import { buildServiceSchema } from '../src/index.ts';

const sdl = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { ready: String, later: String }
  type Mutation { doLater: Boolean }
  type Thing @key(fields: "id") { id: ID!, name: String, extra: String }
  type Later @key(fields: "id") { id: ID!, name: String }
`;

describe('buildServiceSchema', () => {
  const built = buildServiceSchema(sdl, { Query: { ready: () => 'yes' }, Thing: { __resolveReference: (r: { id: string }) => ({ ...r, name: 'n' }) } }, ['Thing.extra', 'Later']);

  it('lists root fields without resolvers and pending entity fields as NOT_IMPLEMENTED', () => {
    expect(built.notImplemented).toEqual(['Later.__resolveReference', 'Mutation.doLater', 'Query.later', 'Thing.extra']);
  });

  it('answers them with a NOT_IMPLEMENTED error, never with data', async () => {
    const result = await graphql({ schema: built.schema, source: '{ ready later }' });
    expect(result.data).toEqual({ ready: 'yes', later: null });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_IMPLEMENTED', coordinate: 'Query.later' });
    const entity = await graphql({ schema: built.schema, source: '{ _entities(representations: [{__typename: "Thing", id: "1"}]) { ... on Thing { name extra } } }' });
    expect(entity.data).toEqual({ _entities: [{ name: 'n', extra: null }] });
    expect(entity.errors?.[0]?.extensions?.code).toBe('NOT_IMPLEMENTED');
    const later = await graphql({ schema: built.schema, source: '{ _entities(representations: [{__typename: "Later", id: "1"}]) { ... on Later { name } } }' });
    expect((later.data?._entities as unknown[] | undefined)?.[0] ?? null).toBeNull();
    expect(later.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_IMPLEMENTED', coordinate: 'Later.__resolveReference' });
  });

  it('refuses a pending list naming a field the schema lacks', () => {
    expect(() => buildServiceSchema(sdl, {}, ['Thing.nope'])).toThrow(/Thing.nope/);
  });
});
