import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleService, subgraphNodeFlags } from '@yuejuan/ops/bundle-service';
import { subgraphNames, type SubgraphName } from '@yuejuan/schema';
import { freePort, startProcess, type Running } from '../lib/processes.ts';
import type { DatabaseNames } from './seed.ts';

const countPreload = fileURLToPath(new URL('./count-requests.ts', import.meta.url));

export interface Subgraphs {
  urls: Record<SubgraphName, string>;
  processes: Record<SubgraphName, Running>;
  /** Requests each subgraph has received so far, by path. */
  counts(): Promise<Record<SubgraphName, Record<string, number>>>;
  /** Starts one (stopped or killed) subgraph again on its port. */
  restart(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

export interface SubgraphOptions {
  root: string;
  logDir: string;
  mongoUri: string;
  db: DatabaseNames;
  secrets: { internal: string; idHash: string };
  /** NODE_ENV of the subgraphs (production refuses the development SMS sink and face check). */
  nodeEnv: string;
  logLevel: string;
}

/** The four subgraphs as separate processes (as npm start runs them), request counters preloaded. */
export async function startSubgraphs(o: SubgraphOptions): Promise<Subgraphs> {
  const ports = Object.fromEntries(
    await Promise.all(subgraphNames.map(async (n) => [n, await freePort()] as const)),
  ) as Record<SubgraphName, number>;
  const base = (n: SubgraphName) => `http://127.0.0.1:${ports[n]}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: o.nodeEnv,
    LOG_LEVEL: o.logLevel,
    MONGODB_URI: o.mongoUri,
    YUEJUAN_INTERNAL_SECRET: o.secrets.internal,
    YUEJUAN_ID_HASH_KEY: o.secrets.idHash,
    IDENTITY_DB: o.db.identity,
    CASES_DB: o.db.cases,
    READING_DB: o.db.reading,
    NOTIFICATIONS_DB: o.db.notifications,
    EVENTS_DB: o.db.events,
    IDENTITY_INTERNAL_URL: base('identity'),
    NOTIFICATIONS_INTERNAL_URL: base('notifications'),
    APOLLO_TELEMETRY_DISABLED: 'true',
  };
  const bundles = Object.fromEntries(
    await Promise.all(
      subgraphNames.map(
        async (n) => [n, await bundleService(join(o.root, `subgraphs/${n}/src/index.ts`))] as const,
      ),
    ),
  ) as Record<SubgraphName, string>;
  const start = (name: SubgraphName) =>
    startProcess({
      name,
      command: 'node',
      cwd: o.root,
      logDir: o.logDir,
      ipc: true,
      // As `npm start` runs them (its node flags, the plain-JS bundle), plus the request counter,
      // a TypeScript preload (hence tsx).
      args: [
        ...(process.env.BENCH_CPU_PROF_DIR
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}/${name}`]
          : []),
        ...subgraphNodeFlags,
        '--import',
        'tsx',
        '--import',
        countPreload,
        bundles[name],
      ],
      env: { ...env, PORT: String(ports[name]) },
      healthUrl: `${base(name)}/ready`,
    });
  const processes = {} as Record<SubgraphName, Running>;
  try {
    for (const name of subgraphNames) processes[name] = await start(name);
  } catch (err) {
    await Promise.all(Object.values(processes).map((p) => p.stop()));
    throw err;
  }
  return {
    urls: Object.fromEntries(subgraphNames.map((n) => [n, `${base(n)}/graphql`])) as Record<
      SubgraphName,
      string
    >,
    processes,
    async counts() {
      const entries = await Promise.all(
        subgraphNames.map(async (n) => [n, await askCounts(processes[n])] as const),
      );
      return Object.fromEntries(entries) as Record<SubgraphName, Record<string, number>>;
    },
    async restart(name) {
      await processes[name].stop();
      processes[name] = await start(name);
    },
    async stop() {
      await Promise.all(Object.values(processes).map((p) => p.stop()));
    },
  };
}

function askCounts(p: Running): Promise<Record<string, number>> {
  if (p.isDead()) return Promise.resolve({});
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      p.child.off('message', onMessage);
      resolve({});
    }, 5000);
    const onMessage = (m: unknown) => {
      const msg = m as { type?: string; counts?: Record<string, number> };
      if (msg?.type !== 'bench:counts') return;
      clearTimeout(timer);
      p.child.off('message', onMessage);
      resolve(msg.counts ?? {});
    };
    p.child.on('message', onMessage);
    p.child.send('bench:counts');
  });
}
