import {
  defaultFieldResolver,
  isObjectType,
  Kind,
  type GraphQLFieldConfig,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import { requireScopes, scopeByName, type Identity } from '@yuejuan/platform';

const directiveNames = new Set(['requiresScopes', 'federation__requiresScopes']);
const roots = new Set(['Query', 'Mutation', 'Subscription']);

/** The `scopes` argument of `@requiresScopes(scopes: [["a", "b"], ["c"]])` as lists of names. */
function scopesOf(value: ValueNode, where: string): string[][] {
  const strings = (v: ValueNode): string[] => {
    if (v.kind === Kind.STRING) return [v.value];
    if (v.kind === Kind.LIST) return v.values.flatMap(strings);
    throw new Error(`${where}: @requiresScopes takes lists of scope names`);
  };
  const alternatives = value.kind === Kind.LIST ? value.values : [value];
  const required = alternatives.map(strings);
  for (const scope of required.flat())
    if (!scopeByName.has(scope)) throw new Error(`${where}: unknown scope "${scope}"`);
  return required;
}

/**
 * Enforces the SDL's `@requiresScopes` for callers that are applications (an OAuth token): a
 * field with the directive answers INSUFFICIENT_SCOPE unless the application holds one of its
 * scope sets; a root field (query, mutation, subscription) without it is closed to every
 * application, so a new field is never reachable by integrators until its scope is declared.
 * People with their own session are not affected. Mutates the schema's field resolvers; returns
 * the fields that declare scopes (`Type.field` → sets), for tests and the developer docs.
 */
export function enforceScopes(schema: GraphQLSchema): Map<string, string[][]> {
  const declared = new Map<string, string[][]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const where = `${type.name}.${field.name}`;
      const directive = field.astNode?.directives?.find((d) => directiveNames.has(d.name.value));
      const argument = directive?.arguments?.find((a) => a.name.value === 'scopes');
      let required: string[][] | undefined;
      if (argument) {
        required = scopesOf(argument.value, where);
        declared.set(where, required);
      } else if (roots.has(type.name) && !field.name.startsWith('_')) {
        required = [];
      }
      if (!required) continue;
      const check = (context: unknown) => {
        const identity = (context as { identity?: Identity } | undefined)?.identity;
        if (identity) requireScopes(identity, required);
      };
      const config = field as unknown as Pick<GraphQLFieldConfig<unknown, unknown>, 'resolve'> & {
        subscribe?: GraphQLFieldConfig<unknown, unknown>['subscribe'];
      };
      const resolve = config.resolve ?? defaultFieldResolver;
      config.resolve = (source, args, context, info) => {
        check(context);
        return resolve(source, args, context, info);
      };
      const subscribe = config.subscribe;
      if (subscribe)
        config.subscribe = (source, args, context, info) => {
          check(context);
          return subscribe(source, args, context, info);
        };
    }
  }
  return declared;
}
