// @requiresScopes as the subgraph kit enforces it: applications get only the fields their
// scopes name, root fields without a declared scope are closed to them, people are unaffected.
import { describe, expect, it } from 'vitest';
import { graphql } from 'graphql';
import type { Identity } from '@yuejuan/platform';
import { buildServiceSchema } from '../../src/index.ts';

const sdl = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@requiresScopes"])
  type Query {
    me: Me @requiresScopes(scopes: [["profile:read"], ["bindings:read"]])
    internal: String
  }
  type Me {
    name: String @requiresScopes(scopes: [["profile:read"]])
    cases: Int @requiresScopes(scopes: [["bindings:read", "cases:read"]])
    id: ID
  }
`;
const schema = buildServiceSchema(sdl, {
  Query: { me: () => ({ id: '1', name: '张三', cases: 2 }), internal: () => 'x' },
});
const lawyer = { role: 'LAWYER', sessionId: 's', lawyerId: 'l', verified: true } as const;
const app = (scopes: string[]): Identity => ({
  ...lawyer,
  verified: false,
  app: { clientId: 'yj_a', scopes, grantId: 'g' },
});
const run = async (identity: Identity, source: string) => {
  const r = await graphql({ schema, source, contextValue: { identity } });
  return { data: r.data, codes: (r.errors ?? []).map((e) => e.extensions.code) };
};

describe('enforceScopes', () => {
  it('lets a person read everything their role allows', async () => {
    expect(await run(lawyer, '{ internal me { name cases } }')).toEqual({
      data: { internal: 'x', me: { name: '张三', cases: 2 } },
      codes: [],
    });
  });

  it('gives an application the fields of its scopes and refuses the rest', async () => {
    expect(await run(app(['profile:read']), '{ me { id name } }')).toEqual({
      data: { me: { id: '1', name: '张三' } },
      codes: [],
    });
    const partial = await run(app(['bindings:read']), '{ me { id name cases } }');
    expect(partial.data).toEqual({ me: { id: '1', name: null, cases: null } });
    expect(partial.codes).toEqual(['INSUFFICIENT_SCOPE', 'INSUFFICIENT_SCOPE']);
    expect((await run(app(['bindings:read', 'cases:read']), '{ me { cases } }')).codes).toEqual([]);
  });

  it('closes root fields without a declared scope to every application', async () => {
    expect((await run(app(['profile:read', 'bindings:read']), '{ internal }')).codes).toEqual([
      'INSUFFICIENT_SCOPE',
    ]);
  });

  it('refuses to build with an unknown scope', () => {
    expect(() =>
      buildServiceSchema(sdl.replace('"cases:read"', '"cases:raed"'), {
        Query: { me: () => null, internal: () => null },
      }),
    ).toThrow('Me.cases: unknown scope "cases:raed"');
  });
});
