// Per-application persisted-operation allowlists (issue 16 part 5). An administrator registers
// an application's operations in the console (identity stores them); an application whose
// switch "only registered operations" is on (the default in production) runs only those: named
// by hash (`extensions.persistedQuery.sha256Hash` or `documentId`), or sent as a document whose
// hash, or canonical form's hash, is registered. Refusals are the persisted-operation policy's
// own (PERSISTED_QUERY_NOT_FOUND, PERSISTED_QUERY_REQUIRED). With the switch off, the
// application's text runs as in development, and its registered hashes resolve too.
//
// The gateway keeps each application's set in memory under the revision identity stamps on the
// application at every change; the per-request token check already answers that revision, so a
// change is seen at the application's next request and the set is read again then (one internal
// call per change, none per request).
import { injectTraceHeaders, internalTokenHeader, mintInternalToken } from '@yuejuan/platform';
import { postJson } from './http-client.ts';

/** An application's operations, as the persisted-operation policy reads them (hash → document). */
export type OperationSet = ReadonlyMap<string, string>;

interface Cached {
  revision: string;
  operations: OperationSet;
  /** The deployment's manifest with the application's operations (switch off), made on demand. */
  withManifest?: OperationSet;
}

/**
 * The applications' registered operations, fetched from identity (`/internal/oauth/operations`)
 * when the token check names a revision not cached; at most `maxApps` applications are kept (the
 * least recently used leave first). Concurrent requests of one application share one fetch.
 */
export function createAppOperations(options: {
  identityBaseUrl: string;
  secret: string;
  timeoutMs: number;
  maxApps?: number;
}) {
  const url = new URL('/internal/oauth/operations', options.identityBaseUrl);
  const maxApps = options.maxApps ?? 500;
  const cache = new Map<string, Cached>();
  const pending = new Map<string, Promise<Cached>>();

  async function fetchSet(clientId: string): Promise<Cached> {
    const headers = async () => ({
      ...injectTraceHeaders<Record<string, string>>({}),
      [internalTokenHeader]: await mintInternalToken(options.secret, 'identity', {
        role: 'ANONYMOUS',
      }),
    });
    const res = await postJson(url, JSON.stringify({ clientId }), headers, {
      timeoutMs: options.timeoutMs,
      repeatable: true,
    });
    const body = res.body as {
      revision?: string;
      operations?: { hash: string; canonicalHash: string; document: string }[];
    } | null;
    if (res.status !== 200 || !body || !Array.isArray(body.operations))
      throw new Error(`operations of ${clientId}: status ${res.status}`);
    const operations = new Map<string, string>();
    for (const o of body.operations) {
      operations.set(o.hash, o.document);
      operations.set(o.canonicalHash, o.document);
    }
    return { revision: body.revision ?? '', operations };
  }

  const remember = (clientId: string, entry: Cached) => {
    cache.delete(clientId);
    cache.set(clientId, entry);
    while (cache.size > maxApps) cache.delete(cache.keys().next().value!);
  };

  async function entryFor(clientId: string, revision: string): Promise<Cached> {
    const cached = cache.get(clientId);
    if (cached && cached.revision === revision) {
      remember(clientId, cached);
      return cached;
    }
    const key = `${clientId}\n${revision}`;
    let fetching = pending.get(key);
    if (!fetching) {
      fetching = fetchSet(clientId).finally(() => pending.delete(key));
      pending.set(key, fetching);
    }
    const entry = await fetching;
    remember(clientId, entry);
    return entry;
  }

  return {
    /** The application's registered operations at `revision` (throws when identity cannot say). */
    async registered(clientId: string, revision: string): Promise<OperationSet> {
      return (await entryFor(clientId, revision)).operations;
    },
    /** The deployment's manifest and the application's operations together (switch off). */
    async withManifest(
      clientId: string,
      revision: string,
      manifest: OperationSet,
    ): Promise<OperationSet> {
      const entry = await entryFor(clientId, revision);
      if (entry.operations.size === 0) return manifest;
      entry.withManifest ??= new Map([...manifest, ...entry.operations]);
      return entry.withManifest;
    },
    /** How many applications are cached (tests). */
    size: () => cache.size,
  };
}
export type AppOperations = ReturnType<typeof createAppOperations>;
