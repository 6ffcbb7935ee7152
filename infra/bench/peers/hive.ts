// Hive Gateway (@graphql-hive/gateway, from this folder's own install) on the same supergraph,
// with the JavaScript query planner or, with HIVE_PLANNER=rust, the Rust one
// (@graphql-hive/router-runtime). The only additions are the identity forwarding the
// subgraphs require (a plugin's onFetch hook) and in-flight deduplication turned off, so the
// benchmark's identical requests are each executed rather than shared.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway';
import {
  createSessionResolver,
  internalTokenHeader,
  mintToken,
  subgraphUrlsFromEnv,
  type ForwardedIdentity,
} from '../src/gateways/forward.ts';

const secret = process.env.YUEJUAN_INTERNAL_SECRET ?? '';
const urls = subgraphUrlsFromEnv();
const nameOfUrl = new Map(Object.entries(urls).map(([name, url]) => [url, name]));
const resolveSession = createSessionResolver(urls.identity!, secret);
const identities = new WeakMap<Request, Promise<ForwardedIdentity>>();

const forwardIdentity: GatewayPlugin = {
  async onFetch({ url, options, setOptions, context }) {
    const request = (context as { request?: Request }).request;
    const subgraph = nameOfUrl.get(url);
    if (!request || !subgraph) return;
    let identity = identities.get(request);
    if (!identity)
      identities.set(request, (identity = resolveSession(request.headers.get('authorization'))));
    const headers = {
      ...(options.headers as Record<string, string> | undefined),
      [internalTokenHeader]: await mintToken(secret, subgraph, await identity),
    };
    setOptions({ ...options, headers });
  },
};

const rust = process.env.HIVE_PLANNER === 'rust';
const { unifiedGraphHandler } = rust
  ? await import('@graphql-hive/router-runtime')
  : { unifiedGraphHandler: undefined };
const sdl = readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8');
const gateway = createGatewayRuntime({
  supergraph: () => sdl,
  ...(unifiedGraphHandler ? { unifiedGraphHandler } : {}),
  transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
  inboundInflightRequestDeduplication: false,
  plugins: () => [forwardIdentity],
  logging: 'error',
  landingPage: false,
  graphiql: false,
});
const server = createServer(gateway);
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  console.log(`hive gateway (${rust ? 'rust' : 'js'} planner) ready`),
);
const stop = () => {
  server.close();
  void Promise.resolve(gateway.dispose()).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
