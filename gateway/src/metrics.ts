// The gateway's metrics (Prometheus, prom-client; served on METRICS_PORT, never on the public
// port): RED per operation and client, each subgraph fetch, refusals, WebSocket use.
import type { ApolloServerPlugin } from '@apollo/server';
import { appOf, counter, gauge, histogram, secondsBuckets } from '@yuejuan/platform';
import { appLabel } from './app-limits.ts';
import type { GatewayContext } from './context.ts';
import { limitCode } from './limits.ts';

export const operationsTotal = counter({
  name: 'yuejuan_gateway_operations_total',
  help: 'GraphQL operations answered over HTTP, by operation name, client and outcome (ok, or the first error code).',
  labelNames: ['operation', 'client', 'outcome'],
});
export const operationSeconds = histogram({
  name: 'yuejuan_gateway_operation_seconds',
  help: 'Time to answer a GraphQL operation over HTTP, by operation name and client.',
  labelNames: ['operation', 'client'],
  buckets: secondsBuckets,
});
export const subgraphFetchSeconds = histogram({
  name: 'yuejuan_gateway_subgraph_fetch_seconds',
  help: 'Requests of the gateway to a subgraph, by subgraph and outcome (ok, or the failure code).',
  labelNames: ['subgraph', 'outcome'],
  buckets: secondsBuckets,
});
export const refusalsTotal = counter({
  name: 'yuejuan_gateway_refusals_total',
  help: 'Operations refused before they ran: persisted-operation policy and operation limits, by code.',
  labelNames: ['reason', 'transport'],
});

/** The live WebSocket figures of each gateway in the process (one, except in tests). */
export const socketSources = new Set<() => { clients: number; subscriptions: number }>();
const sum = (key: 'clients' | 'subscriptions') =>
  [...socketSources].reduce((n, stats) => n + stats()[key], 0);
gauge({
  name: 'yuejuan_gateway_ws_connections',
  help: 'Open graphql-ws connections.',
  collect() {
    this.set(sum('clients'));
  },
});
gauge({
  name: 'yuejuan_gateway_subscriptions',
  help: 'Subscriptions the gateway holds open to the subgraphs (identical client subscriptions share one).',
  collect() {
    this.set(sum('subscriptions'));
  },
});

const namePattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const named = new Set<string>();
/**
 * An operation name as a label. Free-text operations (development) could grow the series
 * without bound: past 500 distinct names the rest count as `other`.
 */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return '(anonymous)';
  if (!namePattern.test(name)) return 'other';
  if (named.has(name)) return name;
  if (named.size >= 500) return 'other';
  named.add(name);
  return name;
}

/** Who sent it: the apps name themselves (`apollographql-client-name`); anyone else is `other`. */
export const clientLabel = (header: string | null | undefined) =>
  header === 'portal' || header === 'console' || header === 'verifier'
    ? header
    : header
      ? 'other'
      : 'unknown';

/**
 * Counts and times every operation; limit refusals also count as refusals. An application's
 * operations are labelled by its verified client id (`app:<id>`, bounded: app-limits.ts), never
 * by what a header says.
 */
export const metricsPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart({ request, contextValue }) {
    const started = performance.now();
    const app = contextValue?.identity ? appOf(contextValue.identity) : undefined;
    const client = app
      ? appLabel(app.clientId)
      : clientLabel(request.http?.headers.get('apollographql-client-name'));
    return {
      async willSendResponse({ operationName, errors }) {
        const operation = operationLabel(operationName ?? request.operationName);
        const code = errors?.length
          ? String(errors[0]!.extensions?.code ?? 'INTERNAL_SERVER_ERROR')
          : 'ok';
        operationsTotal.inc({ operation, client, outcome: code });
        operationSeconds.observe({ operation, client }, (performance.now() - started) / 1000);
        if (code === limitCode) refusalsTotal.inc({ reason: code, transport: 'http' });
      },
    };
  },
};
