import { parse, isObjectType, type GraphQLSchema } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { enforceScopes } from './scopes.ts';

/**
 * A subgraph's resolvers: the `Resolvers` type GraphQL Code Generator wrote from its SDL (each
 * subgraph checks its map against it), handed to @apollo/subgraph as its resolver map.
 */
export type ResolverMap = object;

const roots = ['Query', 'Mutation', 'Subscription'];

/**
 * Builds the federated schema of a subgraph from its SDL and resolvers. A root field without a
 * resolver is a build error (the service does not start), never a field that answers null. The
 * SDL's `@requiresScopes` are enforced for applications (see enforceScopes).
 */
export function buildServiceSchema(sdl: string, resolvers: ResolverMap): GraphQLSchema {
  const schema = buildSubgraphSchema([
    { typeDefs: parse(sdl), resolvers: resolvers as GraphQLResolverMap<unknown> },
  ]);
  const missing: string[] = [];
  for (const name of roots) {
    const type = schema.getType(name);
    if (!isObjectType(type)) continue;
    for (const field of Object.keys(type.getFields())) {
      if (field.startsWith('_')) continue;
      if (
        (resolvers as Record<string, Record<string, unknown> | undefined>)[name]?.[field] ===
        undefined
      )
        missing.push(`${name}.${field}`);
    }
  }
  if (missing.length) throw new Error(`root fields without a resolver: ${missing.join(', ')}`);
  enforceScopes(schema);
  return schema;
}
