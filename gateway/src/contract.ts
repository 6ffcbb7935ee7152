// The integrators' contract at the gateway (issue 16, part 5). A request made with an
// application's OAuth access token sees only the contract (schema/contract.graphql, built here
// from the supergraph being served, so a reload carries it along):
// - its operation is validated against the contract: anything outside it fails as an unknown
//   field does, GRAPHQL_VALIDATION_FAILED with a Chinese message, before any subgraph is asked;
//   Apollo's own validation errors for it are re-worded from the contract as well, so nothing
//   (not even a "Did you mean" of the full schema) tells an internal field from a missing one;
// - its introspection (`__schema`, `__type`) is answered from the contract.
// People's sessions (portal, console, verifier) and anonymous callers keep the full schema.
import type { ApolloServerPlugin } from '@apollo/server';
import {
  execute,
  GraphQLError,
  Kind,
  specifiedRules,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { appOf, type Identity, type Logger } from '@yuejuan/platform';
import { buildContract } from '@yuejuan/schema/contract';
import type { GatewayContext } from './context.ts';

const code = 'GRAPHQL_VALIDATION_FAILED';
const suggestion = /\s*Did you mean .*$/s;

/** A graphql-js validation message in Chinese (the common cases word by word, others quoted). */
export function contractMessage(message: string): string {
  const text = message.replace(suggestion, '');
  let m = /^Cannot query field "([^"]+)" on type "([^"]+)"\.$/.exec(text);
  if (m) return `查询无效：类型 ${m[2]} 上没有字段 ${m[1]}。`;
  m = /^Unknown type "([^"]+)"\.$/.exec(text);
  if (m) return `查询无效：没有类型 ${m[1]}。`;
  m = /^Unknown argument "([^"]+)" on field "([^"]+)"\.$/.exec(text);
  if (m) return `查询无效：字段 ${m[2]} 没有参数 ${m[1]}。`;
  return `查询无效：${text}`;
}

const rootNames = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

/**
 * An operation whose root type the contract lacks (subscriptions) names its fields as unknown on
 * that type, as graphql-js would if the type were there without them (graphql 16 has no rule
 * for a missing root type: its fields would pass unchecked).
 */
const knownRootTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (context.getSchema().getRootType(node.operation)) return;
    for (const selection of node.selectionSet.selections)
      context.reportError(
        new GraphQLError(
          selection.kind === Kind.FIELD
            ? `Cannot query field "${selection.name.value}" on type "${rootNames[node.operation]}".`
            : `Unknown type "${rootNames[node.operation]}".`,
          { nodes: selection },
        ),
      );
  },
});

const isIntrospection = (name: string) => name === '__schema' || name === '__type';

/** Whether a document selects `__schema` or `__type` (only valid on the query root). */
const introspects = (document: DocumentNode) => {
  let found = false;
  visit(document, {
    Field(node) {
      if (isIntrospection(node.name.value)) found = true;
    },
  });
  return found;
};

export interface ContractGuard {
  /** The contract's validation errors of a document (none: within the contract), in Chinese. */
  check(document: DocumentNode): readonly GraphQLError[];
  /** check() for the caller: people and anonymous callers are never refused. */
  refuse(document: DocumentNode, identity: Identity): readonly GraphQLError[];
  /** Builds the contract of a reloaded supergraph (the previous one stays if it fails). */
  update(supergraphSdl: string): void;
  /** The Apollo Server plugin enforcing it on HTTP (and on queries sent over the WebSocket). */
  plugin: ApolloServerPlugin<GatewayContext>;
}

/**
 * The contract guard for `supergraphSdl`. A supergraph whose tags make no valid contract
 * leaves applications refused every operation (fail closed), with an error in the log.
 */
export function createContractGuard(supergraphSdl: string, logger: Logger): ContractGuard {
  let schema: GraphQLSchema | undefined;
  /** Validation results by document (Apollo keeps one parsed document per query text). */
  let checked = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  const build = (sdl: string) => {
    try {
      schema = buildContract(sdl).schema;
      checked = new WeakMap();
      return true;
    } catch (err) {
      logger.error({ err: String(err) }, 'integrators’ contract not built from the supergraph');
      return false;
    }
  };
  if (!build(supergraphSdl))
    logger.error('no integrators’ contract: every application operation will be refused');

  function check(document: DocumentNode): readonly GraphQLError[] {
    if (!schema)
      return [new GraphQLError('查询无效：开放接口暂不可用。', { extensions: { code } })];
    let errors = checked.get(document);
    if (!errors) {
      errors = validate(schema, document, [...specifiedRules, knownRootTypes]).map(
        (e) =>
          new GraphQLError(contractMessage(e.message), {
            nodes: e.nodes,
            extensions: { code },
          }),
      );
      checked.set(document, errors);
    }
    return errors;
  }

  const formatted = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((e) => ({
      message: e.message,
      ...(e.locations ? { locations: e.locations } : {}),
      extensions: { code },
    }));

  /** The contract's answers to the introspection fields of a (valid) query. */
  function introspection(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | undefined,
  ): Record<string, unknown> | undefined {
    if (!schema) return undefined;
    const contract = schema;
    const queryType = contract.getQueryType()?.name;
    const typeInfo = new TypeInfo(contract);
    // Only the introspection fields of the query root stay; the data comes from the gateway.
    const onlyIntrospection = visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          if (typeInfo.getParentType()?.name !== queryType) return undefined;
          return isIntrospection(node.name.value) || node.name.value === '__typename'
            ? undefined
            : null;
        },
      }),
    );
    const result = execute({
      schema: contract,
      document: onlyIntrospection,
      operationName: operationName ?? undefined,
      variableValues: variables,
    });
    if ('then' in result || !result.data) return undefined; // introspection is synchronous
    return result.data as Record<string, unknown>;
  }

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ contextValue }) {
      if (!contextValue?.identity || !appOf(contextValue.identity)) return;
      return {
        async didResolveOperation({ document }) {
          const errors = check(document);
          if (errors.length)
            throw new GraphQLError(errors[0]!.message, {
              nodes: errors[0]!.nodes,
              extensions: { code, http: { status: 400 } },
            });
        },
        async willSendResponse({ response, document, request, operation }) {
          if (response.body.kind !== 'single' || !document) return;
          const result = response.body.singleResult;
          // Every validation failure is told from the contract (Apollo's own or ours), each error.
          if (result.errors?.length && result.errors.every((e) => e.extensions?.code === code)) {
            const errors = check(document);
            if (errors.length) result.errors = formatted(errors);
            return;
          }
          if (
            operation?.operation === 'query' &&
            result.data &&
            typeof result.data === 'object' &&
            introspects(document)
          ) {
            const answers = introspection(document, request.operationName, request.variables);
            if (answers) Object.assign(result.data, answers);
          }
        },
      };
    },
  };

  return {
    check,
    refuse: (document, identity) => (appOf(identity) ? check(document) : []),
    update(sdl) {
      if (build(sdl)) logger.info('integrators’ contract rebuilt from the reloaded supergraph');
    },
    plugin,
  };
}
