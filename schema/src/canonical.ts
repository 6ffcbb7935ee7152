// The one form of an operation the persisted manifest stores and hashes: the operation, then
// the fragments it uses (transitively) sorted by name, each printed by graphql-js. The clients'
// extraction (@yuejuan/operations) and the gateway both use it, so a client sending its own text of a manifest operation
// (other whitespace, other fragment order, other operations beside it) still matches.
import { createHash } from 'node:crypto';
import {
  Kind,
  parse,
  print,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';

/** Fragment names a definition spreads, directly. */
const spreadsOf = (node: DefinitionNode) => {
  const names = new Set<string>();
  visit(node, { FragmentSpread: (spread) => void names.add(spread.name.value) });
  return names;
};

/**
 * The canonical text of `operation` with the fragments it uses from `fragmentOf`; throws
 * `MissingFragment` naming one that is not there.
 */
export function canonicalOperation(
  operation: OperationDefinitionNode,
  fragmentOf: (name: string) => FragmentDefinitionNode | undefined,
): string {
  const used = new Map<string, FragmentDefinitionNode>();
  const pending = [...spreadsOf(operation)];
  while (pending.length) {
    const name = pending.pop()!;
    if (used.has(name)) continue;
    const fragment = fragmentOf(name);
    if (!fragment) throw new MissingFragment(name);
    used.set(name, fragment);
    pending.push(...spreadsOf(fragment));
  }
  const fragments = [...used.keys()].sort().map((name) => used.get(name)!);
  return [operation, ...fragments].map((d) => print(d)).join('\n\n');
}

export class MissingFragment extends Error {
  constructor(readonly fragment: string) {
    super(`fragment ${fragment} is defined nowhere`);
  }
}

/**
 * The canonical text of the operation a request runs (named by `operationName`, or the only
 * one), or null when the text does not parse (within `maxTokens`) or names no single operation.
 */
export function canonicalRequest(
  query: string,
  operationName: string | undefined,
  maxTokens: number,
): string | null {
  try {
    const { definitions } = parse(query, { noLocation: true, maxTokens });
    const operations = definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const operation = operationName
      ? operations.find((o) => o.name?.value === operationName)
      : operations.length === 1
        ? operations[0]
        : undefined;
    if (!operation) return null;
    const fragments = new Map(
      definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((f) => [f.name.value, f]),
    );
    return canonicalOperation(operation, (name) => fragments.get(name));
  } catch {
    return null;
  }
}

/** sha256 (hex) of a document, as the manifest keys it. */
export const documentHash = (document: string): string =>
  createHash('sha256').update(document).digest('hex');
