// Persisted operations on the client side. In production the gateway runs only the operations
// of its manifest (clients/operations/persisted-operations.json, written from these sources by
// the extraction, @yuejuan/operations, before every app build). A production build of an app
// carries the map operation name → sha256 of that manifest (vite-plugin.js defines it) and
// names each operation by hash instead of sending its text; development builds and unit tests
// have no map and send the text (the development gateway runs any operation).
import { mapExchange, type Exchange, type Operation } from '@urql/core';

/** Defined by vite-plugin.js in production builds; absent elsewhere. */
declare const __YUEJUAN_PERSISTED__: Readonly<Record<string, string>> | null | undefined;

/** The operation name → sha256 map of this build, or null when the build has none. */
export function builtPersistedOperations(): Readonly<Record<string, string>> | null {
  return typeof __YUEJUAN_PERSISTED__ === 'undefined' ? null : __YUEJUAN_PERSISTED__;
}

/** The name of the (first) operation of a document, given as text or parsed. */
export function operationNameOf(
  document: string | { definitions: readonly { kind: string; name?: { value: string } }[] },
): string | undefined {
  if (typeof document === 'string')
    return /\b(?:query|mutation|subscription)\s+(\w+)/.exec(document)?.[1];
  return document.definitions.find((d) => d.kind === 'OperationDefinition')?.name?.value;
}

/**
 * An urql exchange naming each known operation by hash, with the persisted-query extension
 * the gateway reads (`extensions.persistedQuery.sha256Hash`): urql then leaves the text out of
 * HTTP bodies, and the socket sends an empty text beside the hash. Operations without a hash,
 * or named in `unknown` (the gateway did not know their hash: a build older or newer than its
 * manifest), go as text, which a gateway still runs when it matches a manifest operation.
 */
export function persistedExchange(
  hashes: Readonly<Record<string, string>>,
  unknown: ReadonlySet<string> = new Set(),
): Exchange {
  return mapExchange({
    onOperation(operation: Operation) {
      if (operation.kind === 'teardown') return operation;
      const name = operationNameOf(operation.query);
      const hash = name && !unknown.has(name) ? hashes[name] : undefined;
      if (!hash) return operation;
      return {
        ...operation,
        extensions: { ...operation.extensions, persistedQuery: { version: 1, sha256Hash: hash } },
      };
    },
  });
}
