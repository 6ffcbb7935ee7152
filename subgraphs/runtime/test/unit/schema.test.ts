import { describe, expect, it } from 'vitest';
import { graphql } from 'graphql';
import { buildServiceSchema } from '../../src/index.ts';

const sdl = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    ready: String
    later: String
  }
  type Mutation {
    doLater: Boolean
  }
  type Thing @key(fields: "id") {
    id: ID!
    name: String
  }
`;

describe('buildServiceSchema', () => {
  it('builds the federated schema with its resolvers and entity references', async () => {
    const schema = buildServiceSchema(sdl, {
      Query: { ready: () => 'yes', later: () => 'later' },
      Mutation: { doLater: () => true },
      Thing: { __resolveReference: (r: { id: string }) => ({ ...r, name: 'n' }) },
    });
    expect((await graphql({ schema, source: '{ ready later }' })).data).toEqual({
      ready: 'yes',
      later: 'later',
    });
    const entity = await graphql({
      schema,
      source:
        '{ _entities(representations: [{__typename: "Thing", id: "1"}]) { ... on Thing { name } } }',
    });
    expect(entity.data).toEqual({ _entities: [{ name: 'n' }] });
  });

  it('refuses to build with a root field that has no resolver, naming each', () => {
    expect(() => buildServiceSchema(sdl, { Query: { ready: () => 'yes' } })).toThrow(
      'root fields without a resolver: Query.later, Mutation.doLater',
    );
  });
});
