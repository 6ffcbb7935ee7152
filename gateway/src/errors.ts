// The gateway's one error formatter: the runtime's (codes pass, unknown errors hidden in
// production, stacks never leave) plus what only the edge needs: limit refusals under one
// stable code, no schema hints in production, and a last guard that no message carries an
// internal address, URL or stack, whatever a subgraph or a library put in it.
import type { GraphQLFormattedError } from 'graphql';
import { createFormatError, type Logger } from '@yuejuan/platform';
import { isTokenLimitError, limitCode, limitError } from './limits.ts';

/** Internal addresses, URLs, connection strings and stack frames. */
const leaks = [
  /\b[a-z][a-z0-9+.-]*:\/\/\S+/i, // any URL or connection string
  /\b\d{1,3}(?:\.\d{1,3}){3}\b/, // IPv4
  /\[[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\]|\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b/i, // IPv6
  /\blocalhost\b/i,
  /\bE(?:CONNREFUSED|CONNRESET|HOSTUNREACH|TIMEDOUT|NOTFOUND|PIPE)\b/,
  /\n\s+at\s/, // stack frame
];

/** Whether a text shows something of the machine behind the gateway. */
export const leaksInternals = (text: string): boolean =>
  leaks.some((pattern) => pattern.test(text));

const hiddenMessage = '系统繁忙，请稍后再试。';

/** Extension keys that may describe the inside of a service (Apollo's `response`, `exception`). */
const internalExtensions = new Set(['stacktrace', 'exception', 'response', 'http']);

/** graphql-js's "Did you mean …?" tail, in every message kind that has one. */
const suggestion = /\s*Did you mean .*$/s;

/**
 * Builds the gateway's formatError. In production, field, argument and enum suggestions are
 * cut, so the schema cannot be read back from error messages with introspection off.
 */
export function createGatewayFormatError(logger: Logger, production: boolean) {
  const base = createFormatError(logger, production);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (isTokenLimitError(formatted.message)) {
      const refusal = limitError('tokens');
      return { message: refusal.message, extensions: { ...refusal.extensions } };
    }
    const result = base(formatted, error);
    const extensions = Object.fromEntries(
      Object.entries(result.extensions ?? {}).filter(([key]) => !internalExtensions.has(key)),
    );
    // Which subgraph failed is safe to say (the base formatter drops it with an unknown error's details).
    const serviceName = formatted.extensions?.serviceName;
    if (typeof serviceName === 'string') extensions.serviceName = serviceName;
    // armor's refusals arrive wrapped by Apollo as GRAPHQL_VALIDATION_FAILED with our `limit`.
    // Only a validation refusal is ours: a subgraph's own error keeps its code whatever it carries.
    if (typeof extensions.limit === 'string' && extensions.code === 'GRAPHQL_VALIDATION_FAILED')
      extensions.code = limitCode;
    let message = production ? result.message.replace(suggestion, '') : result.message;
    if (leaksInternals(message) || leaksInternals(JSON.stringify(extensions))) {
      logger.warn({ message, extensions }, 'error message with internal details hidden');
      message = hiddenMessage;
      for (const key of Object.keys(extensions))
        if (key !== 'code' && key !== 'serviceName') delete extensions[key];
    }
    return { ...result, message, extensions };
  };
}
