import { parse, isObjectType, type GraphQLSchema, type GraphQLFieldResolver } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { notImplemented } from './errors.ts';

export type ResolverMap<C> = GraphQLResolverMap<C>;

export interface SubgraphSchema {
  schema: GraphQLSchema;
  /** Coordinates ("Type.field") that answer NOT_IMPLEMENTED until their issue lands. */
  notImplemented: string[];
}

const roots = ['Query', 'Mutation', 'Subscription'];

/**
 * Builds the federated schema of a subgraph from its SDL and resolvers. No fake data: every
 * root field without a resolver, every listed field ("Type.field") and the reference
 * resolution of every listed entity ("Type") answer NOT_IMPLEMENTED.
 */
export function buildServiceSchema<C>(sdl: string, resolvers: ResolverMap<C>, pending: string[] = []): SubgraphSchema {
  const map: Record<string, object> = { ...(resolvers as Record<string, object>) };
  const pendingEntities = pending.filter((p) => !p.includes('.'));
  for (const entity of pendingEntities) {
    const coordinate = `${entity}.__resolveReference`;
    map[entity] = { ...map[entity], __resolveReference: () => { throw notImplemented(coordinate); } };
  }
  const schema = buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: map as GraphQLResolverMap<unknown> }]);
  const missing: string[] = pendingEntities.filter((t) => schema.getType(t)).map((t) => `${t}.__resolveReference`);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.name.startsWith('_')) continue;
      const coordinate = `${type.name}.${field.name}`;
      const implemented = (resolvers as Record<string, Record<string, unknown> | undefined>)[type.name]?.[field.name] !== undefined;
      const isRoot = roots.includes(type.name);
      if ((isRoot && !implemented) || pending.includes(coordinate)) {
        const refuse: GraphQLFieldResolver<unknown, unknown> = () => { throw notImplemented(coordinate); };
        field.resolve = refuse;
        if (type.name === 'Subscription') field.subscribe = refuse;
        missing.push(coordinate);
      }
    }
  }
  const unknown = pending.filter((c) => !missing.includes(c.includes('.') ? c : `${c}.__resolveReference`));
  if (unknown.length) throw new Error(`notImplemented lists fields the schema lacks: ${unknown.join(', ')}`);
  return { schema, notImplemented: missing.sort() };
}
