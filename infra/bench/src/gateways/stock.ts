// Stock @apollo/gateway + @apollo/server (standalone) on the same supergraph: the only
// addition is the identity forwarding the subgraphs require (forward.ts). No limits, no
// timeouts, no error shaping: what our gateway's layers cost is the difference.
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import {
  createSessionResolver,
  internalTokenHeader,
  mintToken,
  subgraphUrlsFromEnv,
  type ForwardedIdentity,
} from './forward.ts';

interface Context {
  identity: ForwardedIdentity;
}

const secret = process.env.YUEJUAN_INTERNAL_SECRET ?? '';
const urls = subgraphUrlsFromEnv();
const resolveSession = createSessionResolver(urls.identity!, secret);

class MintingDataSource extends RemoteGraphQLDataSource<Context> {
  constructor(
    private readonly subgraph: string,
    url: string,
  ) {
    super({ url });
  }
  override async willSendRequest({
    request,
    context,
  }: {
    request: { http?: { headers: { set(k: string, v: string): void } } };
    context: Partial<Context>;
  }) {
    request.http?.headers.set(
      internalTokenHeader,
      await mintToken(secret, this.subgraph, context.identity ?? { role: 'ANONYMOUS' }),
    );
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8'),
  buildService: ({ name }) => new MintingDataSource(name, urls[name]!),
});
const server = new ApolloServer<Context>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(process.env.PORT) },
  context: async ({ req }) => ({ identity: await resolveSession(req.headers.authorization) }),
});
console.log(`stock apollo gateway ready at ${url}`);
const stop = () => {
  void server.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
