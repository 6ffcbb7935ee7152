import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';
import type { GraphQLError } from 'graphql';

export type CompositionHint = NonNullable<ReturnType<typeof composeServices>['hints']>[number];

/** The four subgraphs, in the order the gateway lists them. */
export const subgraphNames = ['identity', 'cases', 'reading', 'notifications'] as const;
export type SubgraphName = (typeof subgraphNames)[number];

/** Default local ports: gateway 4000, subgraphs 4001.. in the order above. */
export const defaultSubgraphPorts: Record<SubgraphName, number> = {
  identity: 4001,
  cases: 4002,
  reading: 4003,
  notifications: 4004,
};

const here = (file: string) => fileURLToPath(new URL(`../${file}`, import.meta.url));

/** Path of the committed supergraph SDL. */
export const supergraphPath = here('supergraph.graphql');

/** The SDL of one subgraph: the contract its service loads. */
export function loadSubgraphSdl(name: SubgraphName): string {
  return readFileSync(here(`${name}.graphql`), 'utf8');
}

/** Default URL of a subgraph as recorded in the committed supergraph. */
export function defaultSubgraphUrl(name: SubgraphName): string {
  return `http://127.0.0.1:${defaultSubgraphPorts[name]}/graphql`;
}

export interface Composition {
  supergraphSdl?: string;
  errors: readonly GraphQLError[];
  hints: readonly CompositionHint[];
}

/** Composes the four subgraph SDLs with @apollo/composition (no rover, no network). */
export function composeSupergraph(urls: Partial<Record<SubgraphName, string>> = {}): Composition {
  const result = composeServices(
    subgraphNames.map((name) => ({
      name,
      url: urls[name] ?? defaultSubgraphUrl(name),
      typeDefs: parse(loadSubgraphSdl(name)),
    })),
  );
  return {
    supergraphSdl: result.errors ? undefined : enforcedInSubgraphs(result.supergraphSdl),
    errors: result.errors ?? [],
    hints: result.hints ?? [],
  };
}

/**
 * `@requiresScopes` is enforced by each subgraph on its own fields (the subgraph kit), not by
 * the gateway: Apollo's JS gateway refuses a supergraph linking a `for: SECURITY` feature it
 * does not implement. The link keeps the directives in the supergraph (the scopes of every
 * field, for the docs) without that purpose, so the gateway loads it and leaves them alone.
 */
function enforcedInSubgraphs(supergraphSdl: string | undefined): string | undefined {
  return supergraphSdl?.replace(
    '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
    '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1")',
  );
}

/**
 * Hints that do not matter: the same value type (PageInfo) declared in several subgraphs
 * is intended. Every other hint fails the composition test.
 */
export const acceptedHintCodes = new Set<string>([]);

/** Hints that matter (anything not in acceptedHintCodes). */
export function significantHints(hints: readonly CompositionHint[]): CompositionHint[] {
  return hints.filter((h) => !acceptedHintCodes.has(h.definition.code));
}

/** The committed supergraph SDL. */
export function readSupergraph(): string {
  return readFileSync(supergraphPath, 'utf8');
}
export * from './canonical.ts';
