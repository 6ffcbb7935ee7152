import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import {
  injectTraceHeaders,
  mintInternalToken,
  tracingActive,
  internalTokenHeader,
  type Identity,
  type Logger,
} from '@yuejuan/platform';
import type { ClientInfo, GatewayContext } from './context.ts';
import { subgraphFetchSeconds } from './metrics.ts';
import { postJson } from './http-client.ts';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

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
const serviceNames: Record<string, string> = {
  identity: '身份服务',
  cases: '案件服务',
  reading: '阅卷服务',
  notifications: '通知服务',
};
const messages: Record<SubgraphFailure, (service: string) => string> = {
  SUBGRAPH_UNAVAILABLE: (s) => `${s}暂不可用，部分数据未能获取，请稍后再试。`,
  SUBGRAPH_TIMEOUT: (s) => `${s}响应超时，部分数据未能获取，请稍后再试。`,
  SUBGRAPH_ERROR: (s) => `${s}未能处理请求，请稍后再试。`,
};

/** Classifies what went wrong talking to a subgraph, from the error of the request or its status. */
export function classifySubgraphFailure(
  error: unknown,
  response?: { status: number },
): SubgraphFailure {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'SUBGRAPH_TIMEOUT';
  if (response && response.status >= 400 && response.status < 500) return 'SUBGRAPH_ERROR';
  return 'SUBGRAPH_UNAVAILABLE';
}

/** A GraphQL error naming the subgraph and a stable code, with nothing of its URL or stack. */
export function subgraphError(serviceName: string, code: SubgraphFailure): GraphQLError {
  return new GraphQLError(messages[code](serviceNames[serviceName] ?? `「${serviceName}」服务`), {
    extensions: { code, serviceName },
  });
}

/** Longest user agent forwarded: enough to tell browsers apart, no room for payloads. */
const maxUserAgentLength = 256;

/** A header value safe to forward: printable, trimmed, bounded. */
export const cleanHeaderValue = (
  value: string | undefined,
  max = maxUserAgentLength,
): string | undefined => {
  const cleaned = value
    ?.replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, max);
  return cleaned || undefined;
};

/**
 * One subgraph as the gateway calls it: every request carries a token minted for this subgraph
 * alone (audience = its name, seconds of life, unique id) with the caller's identity inside,
 * and the caller's address and user agent (the identity subgraph shows them on the verifier's
 * confirm screen). No request waits longer than the subgraph timeout and none is retried (a
 * mutation must never run twice). A failure reaches the client as an error naming the
 * subgraph with a stable code; its URL, address and stack stay in the log.
 *
 * It implements the gateway's data-source interface itself rather than extending
 * RemoteGraphQLDataSource: that class builds node-fetch Headers and a Request per fetch and
 * goes through the global fetch, which together cost more CPU than the rest of a request's
 * work in the gateway (see http-client.ts). We use none of what they add (APQ, cache-control
 * hints from subgraphs).
 */
export class SubgraphSource implements GraphQLDataSource<GatewayContext> {
  private readonly secret: string;
  private readonly log?: Logger;
  private readonly timeoutMs: number;
  readonly name: string;
  readonly url: URL;

  constructor(options: SubgraphSourceOptions) {
    this.secret = options.secret;
    this.name = options.name;
    this.url = new URL(options.url);
    this.timeoutMs = options.timeoutMs;
    this.log = options.logger;
  }

  async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    if (!request.query) throw new Error('Missing query');
    // The subgraph continues the trace under this fetch (Apollo's gateway.fetch span is active).
    const traceHeaders = tracingActive() && injectTraceHeaders<Record<string, string>>({});
    const headers = traceHeaders
      ? async () => ({ ...(await this.headersFor(context)), ...traceHeaders })
      : () => this.headersFor(context);
    const body = JSON.stringify({
      query: request.query,
      operationName: request.operationName,
      variables: request.variables,
      extensions: request.extensions,
    });
    let status: number | undefined;
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const res = await postJson(this.url, body, headers, {
        timeoutMs: this.timeoutMs,
        repeatable: !/^\s*mutation\b/.test(request.query),
      });
      status = res.status;
      if (res.status < 200 || res.status >= 300)
        throw new Error(`subgraph answered HTTP ${res.status}`);
      if (!res.body || typeof res.body !== 'object' || Array.isArray(res.body))
        throw new Error('subgraph answered without a JSON object');
      subgraphFetchSeconds.observe({ subgraph: this.name, outcome: 'ok' }, seconds());
      return res.body as GatewayGraphQLResponse;
    } catch (error) {
      const code = classifySubgraphFailure(error, status === undefined ? undefined : { status });
      subgraphFetchSeconds.observe({ subgraph: this.name, outcome: code }, seconds());
      this.log?.warn(
        { subgraph: this.name, code, status, err: error, operationName: request.operationName },
        'subgraph request failed',
      );
      throw subgraphError(this.name, code);
    }
  }

  private async headersFor(
    context: GatewayContext | Record<string, unknown>,
  ): Promise<Record<string, string>> {
    const identity =
      'identity' in context && context.identity
        ? (context.identity as Identity)
        : { role: 'ANONYMOUS' as const };
    const headers: Record<string, string> = {
      [internalTokenHeader]: await mintInternalToken(this.secret, this.name, identity),
    };
    if ('requestId' in context && typeof context.requestId === 'string')
      headers['x-request-id'] = context.requestId;
    const client = 'client' in context ? (context.client as ClientInfo | undefined) : undefined;
    if (client?.ip) headers['x-client-ip'] = client.ip;
    const userAgent = cleanHeaderValue(client?.userAgent);
    if (userAgent) headers['x-client-user-agent'] = userAgent;
    return headers;
  }
}
