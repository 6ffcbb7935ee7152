import { GraphQLError, type ExecutionResult } from 'graphql';
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { contextFromTraceparent, inSpan } from '@yuejuan/platform';
import type { GatewayContext } from '../context.ts';
import type { SubscriptionPlan, SubscriptionPlanner } from './planner.ts';
import type { UpstreamPool } from './upstream.ts';

/** Answers the plan's primary fetch with the event the subgraph pushed; every other fetch goes out. */
function eventSource(
  real: GraphQLDataSource,
  primaryOperation: string,
  data: Record<string, unknown>,
): GraphQLDataSource {
  let answered = false;
  return {
    process(options) {
      if (!answered && options.request.query === primaryOperation) {
        answered = true;
        return Promise.resolve({ data });
      }
      return real.process(options);
    },
  };
}

function requestContextFor(
  context: GatewayContext,
  variables: Record<string, unknown>,
  logger: GatewayGraphQLRequestContext['logger'],
): GatewayGraphQLRequestContext {
  return {
    request: { variables },
    context,
    logger,
    metrics: { captureTraces: false },
  } as unknown as GatewayGraphQLRequestContext;
}

/** Errors as the subgraph sent them (plain JSON) become GraphQLErrors again for graphql-ws. */
const revive = (
  errors:
    | readonly {
        message: string;
        path?: readonly (string | number)[];
        extensions?: Record<string, unknown>;
      }[]
    | undefined,
) =>
  (errors ?? []).map(
    (e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }),
  );

/**
 * A federated subscription: opens the primary subscription on the owning subgraph, and for
 * each event resolves the rest of the selection across the other subgraphs exactly as a query
 * would, by executing a plan made of the primary fetch (answered from the event) then `rest`.
 * A hand-written iterator, not an async generator: `return()` (the client left) must complete
 * the upstream subscription at once, even while waiting for the next event.
 */
export async function federatedSubscription(args: {
  plan: SubscriptionPlan;
  planner: SubscriptionPlanner;
  upstream: UpstreamPool;
  sources: ServiceMap;
  context: GatewayContext;
  variables: Record<string, unknown>;
  logger: GatewayGraphQLRequestContext['logger'];
}): Promise<AsyncIterableIterator<ExecutionResult>> {
  const { plan, context, variables } = args;
  const primary = plan.primary;
  const primaryVariables = Object.fromEntries(
    (primary.variableUsages ?? []).filter((v) => v in variables).map((v) => [v, variables[v]]),
  );
  const events = await args.upstream.subscribe(
    primary.serviceName,
    primary.operation,
    primaryVariables,
    context.identity,
  );
  const eventPlan: QueryPlan = {
    kind: 'QueryPlan',
    node: plan.rest ? { kind: 'Sequence', nodes: [{ ...primary }, plan.rest] } : { ...primary },
  };
  let finished = false;
  const finish = async (): Promise<IteratorResult<ExecutionResult>> => {
    if (!finished) {
      finished = true;
      await events.return?.();
    }
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      if (finished) return { value: undefined, done: true };
      const next = await events.next();
      if (next.done || finished) return finish();
      const event = next.value;
      if (!event.data) {
        // The subgraph refused or failed this subscription: pass its errors on, then stop.
        await finish();
        return { value: { errors: revive(event.errors as never) }, done: false };
      }
      const owner = args.sources[primary.serviceName]!;
      const sources: ServiceMap = {
        ...args.sources,
        [primary.serviceName]: eventSource(owner, primary.operation, event.data),
      };
      // The event's trace (the mutation that published it, then the subgraph's delivery)
      // continues here: completing it across the other subgraphs is part of that trace.
      const traceparent = (event.extensions as { traceparent?: unknown } | undefined)?.traceparent;
      const result = await inSpan(
        `gateway.subscription.event ${primary.serviceName}`,
        { parent: contextFromTraceparent(typeof traceparent === 'string' ? traceparent : null) },
        () =>
          executeQueryPlan(
            eventPlan,
            sources,
            requestContextFor(context, variables, args.logger),
            plan.operationContext,
            args.planner.supergraphSchemaJs,
            args.planner.apiSchema,
          ),
      );
      // Apollo's errors too: graphql-ws calls toJSON() on each, and executeQueryPlan's are not
      // all GraphQLErrors of the graphql copy graphql-ws checks against.
      const errors = revive([...(event.errors ?? []), ...(result.errors ?? [])] as never);
      return {
        value: {
          data: result.data ?? null,
          ...(errors.length ? { errors } : {}),
        } as ExecutionResult,
        done: false,
      };
    },
    return: finish,
    async throw(err) {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
