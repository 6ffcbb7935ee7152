// The gateway's part of a trace. @apollo/gateway itself emits gateway.request, gateway.validate
// (against the supergraph), gateway.plan, gateway.execute, gateway.fetch (one per subgraph
// fetch) and gateway.postprocessing through @opentelemetry/api once a provider is registered;
// this plugin adds what Apollo Server does before it: parsing and validating the document,
// and names the operation on the request's server span.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLRequestListener } from '@apollo/server';
import { context, propagation, SpanKind, trace, type Span } from '@opentelemetry/api';
import { failSpan, tracer, tracingActive } from '@yuejuan/platform';
import type { GatewayContext } from './context.ts';

const endWith = (span: Span) => async (err?: unknown) => {
  const error = Array.isArray(err) ? err[0] : err;
  if (error) failSpan(span, error);
  span.end();
};

/** Spans of parsing and validation (when the document is not cached) and the operation's name. */
export const tracingPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart(): Promise<GraphQLRequestListener<GatewayContext> | void> {
    if (!tracingActive()) return;
    const server = trace.getActiveSpan();
    return {
      async parsingDidStart() {
        return endWith(tracer().startSpan('graphql.parse'));
      },
      async validationDidStart() {
        return endWith(tracer().startSpan('graphql.validate'));
      },
      async didResolveOperation({ operationName, operation }) {
        server?.setAttributes({
          ...(operation ? { 'graphql.operation.type': operation.operation } : {}),
          ...(operationName ? { 'graphql.operation.name': operationName } : {}),
        });
      },
      async willSendResponse({ errors }) {
        const code = errors?.[0]?.extensions?.code;
        if (code) server?.setAttribute('graphql.error.code', String(code));
      },
    };
  },
};

/** What a streamed request to a subgraph reports to its span (nothing without tracing). */
export interface UpstreamSpan {
  answered(status: number): void;
  end(err?: unknown): void;
}
const noUpstreamSpan: UpstreamSpan = { answered: () => undefined, end: () => undefined };

/**
 * A CLIENT span for a file route's request to its subgraph, ended when the streamed answer
 * ends; its `traceparent` goes into `headers`, so the subgraph's route continues the trace.
 */
export function upstreamSpan(
  subgraph: string,
  method: string,
  route: string,
  headers: Record<string, unknown>,
): UpstreamSpan {
  if (!tracingActive()) return noUpstreamSpan;
  const span = tracer().startSpan(`${method} ${subgraph} ${route}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'http.route': route,
      'yuejuan.subgraph': subgraph,
    },
  });
  propagation.inject(trace.setSpan(context.active(), span), headers);
  let ended = false;
  return {
    answered: (status) => span.setAttribute('http.response.status_code', status),
    end(err) {
      if (ended) return;
      ended = true;
      if (err) failSpan(span, err);
      span.end();
    },
  };
}
