import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleService } from '@yuejuan/ops/bundle-service';
import { readSupergraph, type SubgraphName } from '@yuejuan/schema';
import { freePort, startProcess, type Running } from '../lib/processes.ts';

/** The gateways compared; `direct` is the subgraphs' work replayed without a gateway. */
export const gatewayTargets = ['ours', 'stock', 'hive', 'hive-rust'] as const;
export type GatewayTarget = (typeof gatewayTargets)[number];
export const allTargets = [...gatewayTargets, 'direct'] as const;
export type Target = (typeof allTargets)[number];

const bench = fileURLToPath(new URL('../..', import.meta.url));
const entries: Record<
  GatewayTarget,
  { entry: string; env?: NodeJS.ProcessEnv; health: string; anyStatus?: boolean; describe: string }
> = {
  ours: {
    entry: 'gateway/src/index.ts',
    health: '/health',
    describe: 'our gateway (gateway/src/index.ts, all its layers)',
  },
  stock: {
    entry: join(bench, 'src/gateways/stock.ts'),
    health: '/',
    anyStatus: true,
    describe: 'stock @apollo/gateway + @apollo/server standalone, token-minting data source only',
  },
  hive: {
    entry: join(bench, 'peers/hive.ts'),
    health: '/healthcheck',
    describe: 'Hive Gateway, JavaScript query planner, dedup off, identity forwarding plugin',
  },
  'hive-rust': {
    entry: join(bench, 'peers/hive.ts'),
    env: { HIVE_PLANNER: 'rust' },
    health: '/healthcheck',
    describe:
      'Hive Gateway with @graphql-hive/router-runtime (Rust query planner), dedup off, identity forwarding plugin',
  },
};

/** Versions of what each target runs, for the result file. */
export function targetVersions(root: string): Record<string, string> {
  const v = (dir: string, pkg: string) => {
    try {
      return (
        JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    } catch {
      return 'not installed';
    }
  };
  const peers = join(bench, 'peers');
  return {
    '@apollo/gateway': v(root, '@apollo/gateway'),
    '@apollo/server': v(root, '@apollo/server'),
    '@graphql-hive/gateway': v(peers, '@graphql-hive/gateway'),
    '@graphql-hive/gateway-runtime': v(peers, '@graphql-hive/gateway-runtime'),
    '@graphql-hive/router-runtime': v(peers, '@graphql-hive/router-runtime'),
    '@graphql-hive/router-query-planner': v(peers, '@graphql-hive/router-query-planner'),
    autocannon: v(root, 'autocannon'),
  };
}

export const describeTarget = (t: Target): string =>
  t === 'direct'
    ? 'the subgraph requests of one client request replayed straight at the subgraphs (the limit)'
    : entries[t].describe;

/** The committed supergraph with the subgraph URLs of this run, written to `dir`. */
export function writeSupergraph(
  dir: string,
  urls: Record<SubgraphName, string>,
  fileName = 'supergraph.graphql',
): string {
  const sdl = readSupergraph().replace(
    /@join__graph\(name: "(\w+)", url: "[^"]*"\)/g,
    (m, name: string) =>
      name in urls ? `@join__graph(name: "${name}", url: "${urls[name as SubgraphName]}")` : m,
  );
  const path = join(dir, fileName);
  writeFileSync(path, sdl);
  return path;
}

export interface GatewayOptions {
  root: string;
  logDir: string;
  supergraphPath: string;
  urls: Record<SubgraphName, string>;
  secret: string;
  logLevel: string;
  /** The persisted-operations manifest our gateway accepts in production (writeManifest). */
  manifestPath: string;
}

export interface RunningGateway {
  target: GatewayTarget;
  url: string;
  process: Running;
}

/**
 * Extra node flags for every gateway process, from BENCH_GATEWAY_NODE_FLAGS (space-separated,
 * e.g. `--trace-gc`): for investigations, applied to all targets alike; not for committed figures.
 */
const benchGatewayNodeFlags = (): string[] =>
  (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

/** Starts one gateway process, NODE_ENV=production, telemetry off; resolves once it is healthy. */
export async function startGateway(
  target: GatewayTarget,
  o: GatewayOptions,
  name: string = target,
): Promise<RunningGateway> {
  const port = await freePort();
  const spec = entries[target];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...spec.env,
    NODE_ENV: 'production',
    LOG_LEVEL: o.logLevel,
    PORT: String(port),
    HOST: '127.0.0.1',
    APOLLO_TELEMETRY_DISABLED: 'true',
    SUPERGRAPH_PATH: o.supergraphPath,
    YUEJUAN_INTERNAL_SECRET: o.secret,
    IDENTITY_URL: o.urls.identity,
    CASES_URL: o.urls.cases,
    READING_URL: o.urls.reading,
    NOTIFICATIONS_URL: o.urls.notifications,
  };
  if (target === 'ours') env.PERSISTED_OPERATIONS_PATH = o.manifestPath;
  const p = await startProcess({
    name,
    command: 'node',
    args: [
      ...(process.env.BENCH_CPU_PROF_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}/${target}`]
        : []),
      ...benchGatewayNodeFlags(),
      ...(target === 'ours'
        ? [await bundleService(join(o.root, spec.entry))]
        : ['--import', 'tsx', spec.entry]),
    ],
    cwd: o.root,
    env,
    logDir: o.logDir,
    healthUrl: `http://127.0.0.1:${port}${spec.health}`,
    healthAnyStatus: spec.anyStatus,
  });
  return { target, url: `http://127.0.0.1:${port}/graphql`, process: p };
}
