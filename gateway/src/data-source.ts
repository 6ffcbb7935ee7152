import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { mintInternalToken, internalTokenHeader } from '@yuejuan/runtime';
import type { GatewayContext } from './context.ts';

export interface SubgraphSourceOptions {
  name: string;
  url: string;
  secret: string;
  timeoutMs: number;
}

/**
 * One subgraph as the gateway calls it: every request carries a token minted for this subgraph
 * alone (audience = its name, seconds of life, unique id) with the caller's identity inside,
 * and no request waits longer than the subgraph timeout.
 */
export class SubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly secret: string;
  readonly name: string;

  constructor(options: SubgraphSourceOptions) {
    super({
      url: options.url,
      fetcher: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(options.timeoutMs) } as RequestInit) as never,
    });
    this.secret = options.secret;
    this.name = options.name;
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const identity = 'identity' in context && context.identity ? context.identity : { role: 'ANONYMOUS' as const };
    request.http?.headers.set(internalTokenHeader, await mintInternalToken(this.secret, this.name, identity));
    if ('requestId' in context && context.requestId) request.http?.headers.set('x-request-id', context.requestId);
  }
}
