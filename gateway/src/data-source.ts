import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { mintInternalToken, internalTokenHeader, type Logger } from '@yuejuan/runtime';
import type { GatewayContext } from './context.ts';

export interface SubgraphSourceOptions {
  name: string;
  url: string;
  secret: string;
  timeoutMs: number;
  logger?: Logger;
}

/** Stable codes of a subgraph that gave no usable answer (`extensions.serviceName` says which). */
export type SubgraphFailure = 'SUBGRAPH_UNAVAILABLE' | 'SUBGRAPH_TIMEOUT' | 'SUBGRAPH_ERROR';

/** What users read: the service by its Chinese name, never its address. */
const serviceNames: Record<string, string> = { identity: '身份服务', cases: '案件服务', reading: '阅卷服务', notifications: '通知服务' };
const messages: Record<SubgraphFailure, (service: string) => string> = {
  SUBGRAPH_UNAVAILABLE: (s) => `${s}暂不可用，部分数据未能获取，请稍后再试。`,
  SUBGRAPH_TIMEOUT: (s) => `${s}响应超时，部分数据未能获取，请稍后再试。`,
  SUBGRAPH_ERROR: (s) => `${s}未能处理请求，请稍后再试。`,
};

/** Classifies what went wrong talking to a subgraph, from the error fetch or Apollo raised. */
export function classifySubgraphFailure(error: unknown, response?: { status: number }): SubgraphFailure {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'SUBGRAPH_TIMEOUT';
  if (response && response.status >= 400 && response.status < 500) return 'SUBGRAPH_ERROR';
  return 'SUBGRAPH_UNAVAILABLE';
}

/** A GraphQL error naming the subgraph and a stable code, with nothing of its URL or stack. */
export function subgraphError(serviceName: string, code: SubgraphFailure): GraphQLError {
  return new GraphQLError(messages[code](serviceNames[serviceName] ?? `「${serviceName}」服务`), { extensions: { code, serviceName } });
}

/** Longest user agent forwarded: enough to tell browsers apart, no room for payloads. */
const maxUserAgentLength = 256;

/** A header value safe to forward: printable, trimmed, bounded. */
export const cleanHeaderValue = (value: string | undefined, max = maxUserAgentLength): string | undefined => {
  const cleaned = value?.replace(/[^\x20-\x7e]/g, '').trim().slice(0, max);
  return cleaned || undefined;
};

/**
 * One subgraph as the gateway calls it: every request carries a token minted for this subgraph
 * alone (audience = its name, seconds of life, unique id) with the caller's identity inside,
 * and the caller's address and user agent (the identity subgraph shows them on the verifier's
 * confirm screen). No request waits longer than the subgraph timeout and none is retried (a
 * mutation must never run twice). A failure reaches the client as an error naming the
 * subgraph with a stable code; its URL, address and stack stay in the log.
 */
export class SubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly secret: string;
  private readonly log?: Logger;
  readonly name: string;

  constructor(options: SubgraphSourceOptions) {
    super({
      url: options.url,
      fetcher: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(options.timeoutMs) } as RequestInit) as never,
    });
    this.secret = options.secret;
    this.name = options.name;
    this.log = options.logger;
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const identity = 'identity' in context && context.identity ? context.identity : { role: 'ANONYMOUS' as const };
    const headers = request.http?.headers;
    headers?.set(internalTokenHeader, await mintInternalToken(this.secret, this.name, identity));
    if ('requestId' in context && context.requestId) headers?.set('x-request-id', context.requestId);
    const client = 'client' in context ? context.client : undefined;
    if (client?.ip) headers?.set('x-client-ip', client.ip);
    const userAgent = cleanHeaderValue(client?.userAgent);
    if (userAgent) headers?.set('x-client-user-agent', userAgent);
  }

  override didEncounterError(error: Error, _fetchRequest: unknown, fetchResponse?: { status: number }, _context?: GatewayContext, request?: { operationName?: string }): never {
    const code = classifySubgraphFailure(error, fetchResponse);
    this.log?.warn({ subgraph: this.name, code, status: fetchResponse?.status, err: error, operationName: request?.operationName }, 'subgraph request failed');
    throw subgraphError(this.name, code);
  }
}
