// Operation limits at the edge: the parser's token limit (graphql-js `maxTokens`, a syntax
// error, so 400 rather than the 500 of a plugin throwing mid-parse) and graphql-armor's
// depth, alias, directive and cost rules (validation errors, 400). No message tells how far
// the limit is: an attacker learns that a limit was hit and which kind, never the number.
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  validate,
  visit,
  type DocumentNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { GatewayConfig } from './config.ts';

/** The kinds of limit; `extensions.limit` of a QUERY_TOO_COMPLEX error names one. */
export type LimitKind = 'tokens' | 'depth' | 'aliases' | 'directives' | 'cost';

/** The stable code of every limit refusal. */
export const limitCode = 'QUERY_TOO_COMPLEX';

const messages: Record<LimitKind, string> = {
  tokens: '查询语句过长，已拒绝。',
  depth: '查询嵌套层级过深，已拒绝。',
  aliases: '查询使用的别名过多，已拒绝。',
  directives: '查询使用的指令过多，已拒绝。',
  cost: '查询过于复杂，已拒绝。',
};

/** The refusal of an operation over a limit (no figures in it). */
export const limitError = (kind: LimitKind) =>
  new GraphQLError(messages[kind], { extensions: { code: limitCode, limit: kind } });

/** graphql-js's own message when the parser's token limit is hit (it states the limit). */
const tokenLimitMessage = /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/; // graphql 16 says "more that"

/** Whether a formatted error is the parser's token-limit refusal. */
export const isTokenLimitError = (message: string) => tokenLimitMessage.test(message);

// Reject callbacks replace armor's own reporting, which would say "limit of N exceeded, found M".
const reporter = (kind: LimitKind) => ({
  propagateOnRejection: false,
  exposeLimits: false,
  onReject: [(context: ValidationContext | null) => context?.reportError(limitError(kind))],
});

/** Page-size arguments whose value multiplies the cost of what they select. */
const pageArguments = new Set(['first', 'last']);

/**
 * The document with each page size given as a variable (`first: $n`) replaced by the request's
 * value of it (or its default): the cost rule reads literals only, so `$n = 100` must cost what
 * `first: 100` costs. Null when the document has no such argument.
 */
export function withPageSizes(
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): DocumentNode | null {
  const defaults = new Map<string, unknown>();
  let found = false;
  visit(document, {
    VariableDefinition(node) {
      if (node.defaultValue?.kind === Kind.INT)
        defaults.set(node.variable.name.value, Number(node.defaultValue.value));
    },
    Argument(node) {
      if (pageArguments.has(node.name.value) && node.value.kind === Kind.VARIABLE) found = true;
    },
  });
  if (!found) return null;
  return visit(document, {
    Argument(node) {
      if (!pageArguments.has(node.name.value) || node.value.kind !== Kind.VARIABLE)
        return undefined;
      const name = node.value.name.value;
      const value = Number(variables?.[name] ?? defaults.get(name) ?? 1);
      const size = Number.isSafeInteger(value) && value > 0 ? value : 1;
      return { ...node, value: { kind: Kind.INT, value: String(size) } };
    },
  });
}

/**
 * The cost limit again on the request's variable values (an Apollo Server plugin): validation
 * ran on the document alone, where `first: $n` counts as one.
 */
export function costWithVariables(config: GatewayConfig): ApolloServerPlugin {
  const { validationRules } = new ApolloArmor({
    maxTokens: { enabled: false },
    maxDepth: { enabled: false },
    maxAliases: { enabled: false },
    maxDirectives: { enabled: false },
    blockFieldSuggestion: { enabled: false },
    costLimit: {
      maxCost: config.GRAPHQL_MAX_COST,
      flattenFragments: true,
      ignoreIntrospection: true,
      ...reporter('cost'),
    },
  }).protect();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, schema }) {
          const sized = withPageSizes(document, request.variables);
          if (!sized) return;
          if (validate(schema, sized, validationRules as ValidationRule[]).length) {
            throw new GraphQLError(messages.cost, {
              extensions: { code: limitCode, limit: 'cost', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/** The Apollo Server options that enforce the limits of `config`. */
export function operationLimits(config: GatewayConfig): {
  parseOptions: { maxTokens: number };
  validationRules: ValidationRule[];
} {
  const armor = new ApolloArmor({
    maxTokens: { enabled: false }, // the parser's own limit below
    blockFieldSuggestion: { enabled: false }, // done by the error formatter, for every message kind
    maxDepth: {
      n: config.GRAPHQL_MAX_DEPTH,
      flattenFragments: true,
      ignoreIntrospection: true,
      ...reporter('depth'),
    },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES, ...reporter('aliases') },
    maxDirectives: { n: config.GRAPHQL_MAX_DIRECTIVES, ...reporter('directives') },
    costLimit: {
      maxCost: config.GRAPHQL_MAX_COST,
      flattenFragments: true,
      ignoreIntrospection: true,
      ...reporter('cost'),
    },
  });
  const { validationRules } = armor.protect();
  return {
    parseOptions: { maxTokens: config.GRAPHQL_MAX_TOKENS },
    validationRules: validationRules as ValidationRule[],
  };
}
