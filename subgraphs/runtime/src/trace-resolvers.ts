import { defaultFieldResolver, isObjectType, type GraphQLSchema } from 'graphql';
import { inSpan, tracingActive } from '@yuejuan/platform';

/**
 * A span around each root field's resolver (`Query.*`, `Mutation.*`, including `_entities`):
 * where a subgraph's I/O starts, so its database commands and calls group under the field that
 * made them. Root fields only: wrapping every field would cost more than it tells (the
 * DataLoaders batch the rest into the same commands). Without tracing, the resolver is called
 * as it was.
 */
export function traceRootFields(schema: GraphQLSchema): void {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!isObjectType(root)) continue;
    for (const field of Object.values(root.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      const name = `${root.name}.${field.name}`;
      field.resolve = (source, args, context, info) =>
        tracingActive()
          ? inSpan(name, {}, async () => {
              const result = await resolve(source, args, context, info);
              // `_entities` answers an array of promises: the span lasts until they settle
              // (the array itself goes on as it is, so each entity keeps its own error).
              if (Array.isArray(result)) await Promise.allSettled(result);
              return result;
            })
          : resolve(source, args, context, info);
    }
  }
}
