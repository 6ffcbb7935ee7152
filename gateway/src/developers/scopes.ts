// The developer page's scopes table, generated from the schema the gateway serves: every field
// and root operation declaring `@requiresScopes` (Federation 2.5+, kept in the supergraph),
// grouped by scope, with the scope's Chinese name from the platform's scope list.
import { Kind, parse, type ConstValueNode, type DirectiveNode } from 'graphql';
import { apiScopes, type ScopeDefinition } from '@yuejuan/platform';

/** One field (or root operation) an application can use with a scope. */
export interface ScopedField {
  /** Schema coordinate, e.g. `Query.viewer` or `Lawyer.name`. */
  coordinate: string;
  /** Root operations: query, mutation or subscription; other fields: field. */
  kind: 'query' | 'mutation' | 'subscription' | 'field';
  /** The field's description in the schema (English or Chinese, as written). */
  description?: string;
  /** `@requiresScopes`: alternatives, each a set of scopes held together. */
  alternatives: string[][];
}

export interface ScopeRow {
  name: string;
  /** From the platform's scope list; undefined for a scope only the schema names. */
  definition?: ScopeDefinition;
  fields: ScopedField[];
}

const rootKinds: Record<string, ScopedField['kind']> = {
  Query: 'query',
  Mutation: 'mutation',
  Subscription: 'subscription',
};

function scopesOf(directive: DirectiveNode): string[][] {
  const arg = directive.arguments?.find((a) => a.name.value === 'scopes')?.value as
    ConstValueNode | undefined;
  if (arg?.kind !== Kind.LIST) return [];
  return arg.values.map((all) =>
    all.kind === Kind.LIST
      ? all.values.flatMap((s) => (s.kind === Kind.STRING ? [s.value] : []))
      : all.kind === Kind.STRING
        ? [all.value]
        : [],
  );
}

/**
 * Every field of `sdl` (a supergraph or a subgraph SDL) that declares `@requiresScopes`, with
 * its alternatives. The one place the page reads scopes from: switch it here to another source
 * (e.g. a scopes file generated at compose time) and the page follows.
 */
export function scopedFields(sdl: string): ScopedField[] {
  const out: ScopedField[] = [];
  for (const def of parse(sdl).definitions) {
    if (
      def.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      def.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      def.kind !== Kind.INTERFACE_TYPE_DEFINITION
    )
      continue;
    const typeName = def.name.value;
    const onType = def.directives?.find((d) => d.name.value === 'requiresScopes');
    for (const field of def.fields ?? []) {
      const directive = field.directives?.find((d) => d.name.value === 'requiresScopes') ?? onType;
      if (!directive) continue;
      const alternatives = scopesOf(directive).filter((a) => a.length > 0);
      if (alternatives.length === 0) continue;
      out.push({
        coordinate: `${typeName}.${field.name.value}`,
        kind: rootKinds[typeName] ?? 'field',
        description: field.description?.value,
        alternatives,
      });
    }
  }
  return out;
}

/**
 * The scopes table: the platform's scopes in their order (those no field uses yet included),
 * then any scope only the schema names; each with the fields it opens, root operations first.
 */
export function scopeTable(fields: readonly ScopedField[]): ScopeRow[] {
  const rows = new Map<string, ScopeRow>(
    apiScopes.map((definition) => [
      definition.name,
      { name: definition.name, definition, fields: [] },
    ]),
  );
  const order = { query: 0, mutation: 1, subscription: 2, field: 3 };
  for (const field of fields)
    for (const name of new Set(field.alternatives.flat())) {
      const row = rows.get(name) ?? { name, fields: [] };
      if (!row.fields.some((f) => f.coordinate === field.coordinate)) row.fields.push(field);
      rows.set(name, row);
    }
  for (const row of rows.values())
    row.fields.sort(
      (a, b) => order[a.kind] - order[b.kind] || a.coordinate.localeCompare(b.coordinate),
    );
  return [...rows.values()];
}
