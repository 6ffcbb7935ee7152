import {
  Client,
  fetchExchange,
  subscriptionExchange,
  type AnyVariables,
  type DocumentInput,
} from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { toApiError, type ApiError } from './errors.ts';
import { operationNameOf, persistedExchange } from './persisted.ts';

/** Where the clients reach the gateway, and how they find the session token. */
export interface ApiOptions {
  /** GraphQL over HTTP: the app's own `/graphql` (its server forwards it to the gateway). */
  httpUrl: string;
  /** GraphQL over WebSocket (graphql-ws), e.g. ws://127.0.0.1:4000/graphql. */
  wsUrl: string;
  /** The current bearer token, or null when logged out. */
  getToken: () => string | null;
  /** Called when the API says the session is gone (expired, revoked, logged out elsewhere). */
  onUnauthenticated?: () => void;
  /** For Node tests: the WebSocket implementation (browsers have their own). */
  webSocketImpl?: unknown;
  fetch?: typeof fetch;
  /** Operation name → sha256 of the persisted manifest: those operations are sent by hash. */
  persisted?: Readonly<Record<string, string>> | null;
  /** Which app this is (`apollographql-client-name`: the gateway's metrics count per client). */
  clientName?: string;
  /**
   * The socket is back after it was lost (a gateway restarted or the network dropped):
   * graphql-ws has subscribed again, but events of the gap were missed, so the page reads its
   * data again.
   */
  onReconnected?: () => void;
}

/** The few calls pages make: one-shot queries and mutations, and live subscriptions. */
export interface Api {
  readonly client: Client;
  /** Resolves with the data; throws ApiError. Pass a `graphql(…)` document: its result type is inferred. */
  query<T, V extends AnyVariables = AnyVariables>(
    document: DocumentInput<T, V>,
    variables?: V,
  ): Promise<T>;
  mutate<T, V extends AnyVariables = AnyVariables>(
    document: DocumentInput<T, V>,
    variables?: V,
  ): Promise<T>;
  /** Calls `onData` with each event; `onError` once if it fails. Returns the unsubscribe. */
  subscribe<T, V extends AnyVariables = AnyVariables>(
    document: DocumentInput<T, V>,
    variables: V,
    onData: (data: T) => void,
    onError?: (err: ApiError) => void,
  ): () => void;
  /** Closes the socket so the next subscription authenticates with the current token (after login/logout). */
  reconnect(): void;
}

/**
 * The urql client of the three apps: HTTP POST (never GET: the gateway's CSRF rules) with the
 * bearer token for queries and mutations, graphql-ws for subscriptions with the token in
 * `connection_init`, no cache (every read is fresh: statuses change under the page's feet).
 */
export function createApi(options: ApiOptions): Api {
  let ws: WsClient | null = null;
  const socket = () =>
    (ws ??= createWsClient({
      url: options.wsUrl,
      lazy: true,
      retryAttempts: 5,
      on: {
        connected: (_socket, _payload, wasRetry) => {
          if (wasRetry) options.onReconnected?.();
        },
      },
      connectionParams: () => {
        const token = options.getToken();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
    }));

  // Operations whose hash the gateway did not know: from then on they go as text.
  const unknownHashes = new Set<string>();
  /** After PERSISTED_QUERY_NOT_FOUND (refused before running): whether sending the text is worth one retry. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a document of any operation: only its name is read
  const retryAsText = (error: unknown, document: DocumentInput<any, any>): boolean => {
    if (!options.persisted || !error || toApiError(error).code !== 'PERSISTED_QUERY_NOT_FOUND')
      return false;
    const name = operationNameOf(document as Parameters<typeof operationNameOf>[0]);
    if (!name || unknownHashes.has(name) || !options.persisted[name]) return false;
    unknownHashes.add(name);
    return true;
  };

  const client = new Client({
    url: options.httpUrl,
    preferGetMethod: false,
    requestPolicy: 'network-only',
    ...(options.fetch ? { fetch: options.fetch } : {}),
    fetchOptions: (): RequestInit => {
      const token = options.getToken();
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      if (options.clientName) headers['apollographql-client-name'] = options.clientName;
      return { headers };
    },
    exchanges: [
      ...(options.persisted ? [persistedExchange(options.persisted, unknownHashes)] : []),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: socket().subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
    ],
  });

  const settle = <T>(result: { data?: T; error?: unknown }): T => {
    if (result.error) {
      const err = toApiError(result.error);
      if (err.code === 'UNAUTHENTICATED') options.onUnauthenticated?.();
      throw err;
    }
    return result.data as T;
  };

  return {
    client,
    async query(document, variables) {
      const once = () => client.query(document, variables ?? ({} as never)).toPromise();
      let result = await once();
      if (retryAsText(result.error, document)) result = await once();
      return settle(result);
    },
    async mutate(document, variables) {
      const once = () => client.mutation(document, variables ?? ({} as never)).toPromise();
      let result = await once();
      if (retryAsText(result.error, document)) result = await once();
      return settle(result);
    },
    subscribe(document, variables, onData, onError) {
      let failed = false;
      let closed = false;
      let sub: { unsubscribe(): void };
      const open = () =>
        client.subscription(document, variables).subscribe((result) => {
          if (failed) return;
          if (result.error) {
            if (retryAsText(result.error, document)) {
              queueMicrotask(() => {
                if (!closed) {
                  sub.unsubscribe();
                  sub = open();
                }
              });
              return;
            }
            failed = true;
            onError?.(toApiError(result.error));
            return;
          }
          if (result.data) onData(result.data);
        });
      sub = open();
      return () => {
        closed = true;
        sub.unsubscribe();
      };
    },
    reconnect() {
      const old = ws;
      ws = null;
      void old?.dispose();
    },
  };
}
