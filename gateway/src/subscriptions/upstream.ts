import WebSocket from 'ws';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import {
  internalTokenHeader,
  mintInternalToken,
  type Identity,
  type Logger,
} from '@yuejuan/platform';

/** The events of one upstream subscription. */
export type UpstreamEvents = AsyncIterableIterator<
  FormattedExecutionResult<Record<string, unknown>, unknown>
>;

/**
 * One graphql-ws connection per subgraph, shared by every subscriber of this gateway: the
 * socket authenticates the gateway (connection_init), and each subscription carries its own
 * token with the subscriber's identity (in `extensions`). Memory per subscriber stays small.
 */
export function createUpstreamPool(options: {
  urls: Record<string, string>;
  secret: string;
  logger: Logger;
}) {
  const clients = new Map<string, Client>();
  let active = 0;

  function clientFor(name: string): Client {
    let client = clients.get(name);
    if (client) return client;
    const url = options.urls[name];
    if (!url) throw new Error(`unknown subgraph ${name}`);
    client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: true,
      lazyCloseTimeout: 5_000,
      keepAlive: 15_000,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      // Back at once: a subgraph instance that stops (a rolling restart) closes its sockets, and
      // its subscriptions miss the events published until they are open on another instance
      // (graphql-ws's default first wait is 1.3–4 s). 100 ms, doubling to 2 s while it fails.
      retryWait: (retries) =>
        new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** retries) + Math.random() * 50)),
      connectionParams: async () => ({
        [internalTokenHeader]: await mintInternalToken(options.secret, name, {
          role: 'SERVICE',
          service: 'gateway',
        }),
      }),
      on: {
        closed: (e) =>
          options.logger.debug(
            { subgraph: name, code: (e as { code?: number })?.code },
            'upstream socket closed',
          ),
      },
    });
    clients.set(name, client);
    return client;
  }

  return {
    /** Subscribes upstream; the iterator's `return()` completes the upstream subscription. The gateway's own (`counted` false) stay out of the stats. */
    async subscribe(
      name: string,
      query: string,
      variables: Record<string, unknown>,
      identity: Identity,
      counted = true,
    ): Promise<UpstreamEvents> {
      const token = await mintInternalToken(options.secret, name, identity);
      const iterator = clientFor(name).iterate<Record<string, unknown>>({
        query,
        variables,
        extensions: { [internalTokenHeader]: token },
      });
      if (counted) active++;
      let done = !counted;
      const finish = () => {
        if (!done) {
          done = true;
          active--;
        }
      };
      const events: UpstreamEvents = {
        next: async () => {
          const r = await iterator.next();
          if (r.done) finish();
          return r;
        },
        return: async () => {
          finish();
          return (await iterator.return?.()) ?? { value: undefined, done: true };
        },
        [Symbol.asyncIterator]() {
          return events;
        },
      };
      return events;
    },
    /** Upstream subscriptions open now (tests check none is left behind). */
    stats: () => ({ subscriptions: active, sockets: clients.size }),
    async close() {
      await Promise.all([...clients.values()].map((c) => c.dispose()));
      clients.clear();
    },
  };
}
export type UpstreamPool = ReturnType<typeof createUpstreamPool>;
