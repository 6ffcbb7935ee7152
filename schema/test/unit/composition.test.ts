import { describe, expect, it } from 'vitest';
import { buildASTSchema, isEnumType, isInputObjectType, isObjectType, parse } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  composeSupergraph,
  loadSubgraphSdl,
  readSupergraph,
  significantHints,
  subgraphNames,
} from '../../src/index.ts';

describe('supergraph composition', () => {
  const composition = composeSupergraph();

  it('composes the four subgraphs without errors or hints that matter', () => {
    expect(composition.errors.map((e) => e.message)).toEqual([]);
    expect(
      significantHints(composition.hints).map((h) => `${h.definition.code}: ${h.message}`),
    ).toEqual([]);
  });

  it('matches the committed schema/supergraph.graphql (run `npm run compose` after editing an SDL)', () => {
    expect(readSupergraph().trim()).toBe(composition.supergraphSdl?.trim());
  });
});

describe.each(subgraphNames)('subgraph SDL %s', (name) => {
  const sdl = loadSubgraphSdl(name);

  it('builds as a subgraph schema', () => {
    expect(() => buildSubgraphSchema({ typeDefs: parse(sdl) })).not.toThrow();
  });

  it('describes every type, field, input field and enum value', () => {
    const schema = buildASTSchema(parse(sdl), { assumeValidSDL: true });
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !type.astNode) continue;
      const isRoot = ['Query', 'Mutation', 'Subscription'].includes(type.name);
      if (!isRoot && !type.description) missing.push(type.name);
      if (isObjectType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues())
          if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
