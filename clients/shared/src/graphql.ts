import { initGraphQLTada } from 'gql.tada';
import type { introspection, introspection_types } from './graphql-env.d.ts';

/**
 * Typed GraphQL documents: `graphql(\`query X { … }\`)` infers the result and the variables from
 * the API schema (src/graphql-env.d.ts, generated from the committed supergraph), so pages never
 * declare result types by hand. Fragments are passed as the second argument and are not masked:
 * a page reads the fields it selected, wherever they were selected. Operation texts stay static
 * (no `${…}`): the build persists them by hash (@yuejuan/operations).
 */
export const graphql = initGraphQLTada<{ introspection: introspection; disableMasking: true }>();

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';

/** The values of a schema enum, e.g. `EnumOf<'StepUpPurpose'>` (for form state sent as a variable). */
export type EnumOf<Name extends keyof introspection_types> = introspection_types[Name] extends {
  enumValues: infer Values;
}
  ? Values
  : never;
