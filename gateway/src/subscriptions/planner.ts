import {
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import { buildOperationContext, type ServiceMap } from '@apollo/gateway';
import type { OperationContext } from '@apollo/gateway/dist/operationContext.js';

export interface SubscriptionPlan {
  document: DocumentNode;
  operationContext: OperationContext;
  /** The subscription fetch to the owning subgraph. */
  primary: FetchNode;
  /** What the other subgraphs add to each event (entity fetches), if anything. */
  rest?: PlanNode;
}

export type Planned =
  | { kind: 'subscription'; plan: SubscriptionPlan }
  | { kind: 'operation'; document: DocumentNode; operation: OperationDefinitionNode }
  | { kind: 'invalid'; errors: readonly GraphQLError[] };

/**
 * Plans subscriptions against the supergraph with the public APIs of @apollo/query-planner:
 * `buildQueryPlan` on a subscription yields a Subscription node with a `primary` fetch to the
 * owning subgraph and the `rest` of the plan. Plans are cached by document and operation name,
 * as thousands of subscribers usually send the same few operations.
 */
export function createSubscriptionPlanner(
  supergraphSdl: string,
  limits: { maxTokens: number; validationRules: readonly ValidationRule[] } = {
    maxTokens: 5000,
    validationRules: [],
  },
) {
  const supergraph = Supergraph.build(supergraphSdl);
  const apiSchema = supergraph.apiSchema();
  const apiSchemaJs: GraphQLSchema = apiSchema.toGraphQLJSSchema();
  const supergraphSchemaJs: GraphQLSchema = supergraph.schema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  const cache = new Map<string, Planned>();

  function planUncached(source: string, operationName: string | undefined): Planned {
    let document: DocumentNode;
    try {
      document = parse(source, { maxTokens: limits.maxTokens });
    } catch (err) {
      return { kind: 'invalid', errors: [err as GraphQLError] };
    }
    const errors = validate(apiSchemaJs, document, [...specifiedRules, ...limits.validationRules]);
    if (errors.length) return { kind: 'invalid', errors };
    const operationContext = buildOperationContext({
      schema: apiSchemaJs,
      operationDocument: document,
      operationName,
    });
    if (operationContext.operation.operation !== 'subscription')
      return { kind: 'operation', document, operation: operationContext.operation };
    const queryPlan = planner.buildQueryPlan(
      operationFromDocument(apiSchema, document, { operationName }),
    );
    const node = queryPlan.node;
    if (node?.kind !== 'Subscription') throw new Error('subscription without a subscription plan');
    return {
      kind: 'subscription',
      plan: { document, operationContext, primary: node.primary, rest: node.rest },
    };
  }

  return {
    apiSchema,
    apiSchemaJs,
    supergraphSchemaJs,
    /** Parses, validates and plans one operation (cached). */
    plan(source: string, operationName?: string | null): Planned {
      const key = `${operationName ?? ''}\u0000${source}`;
      let planned = cache.get(key);
      if (!planned) {
        planned = planUncached(source, operationName ?? undefined);
        if (planned.kind !== 'invalid') {
          if (cache.size >= 500) cache.delete(cache.keys().next().value!);
          cache.set(key, planned);
        }
      }
      return planned;
    },
  };
}
export type SubscriptionPlanner = ReturnType<typeof createSubscriptionPlanner>;
export type { ServiceMap };
