// The production topology on one machine: HAProxy (Debian's, configured by infra/cluster/
// haproxy.cfg) in front of 2 gateways, 2 instances of each subgraph and 2 of each client's
// server, all in NODE_ENV=production (persisted operations only, internal errors hidden), on
// FerretDB's PostgreSQL backend by default, with the outside services (face check, SMS)
// simulated. Instances are supervised: one that dies is started again, as systemd or an
// orchestrator would. `npm run start:cluster` runs it; the chaos test drives it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { repoRoot, startDatabase, type DatabaseHandle } from '@yuejuan/database';
import {
  apps,
  buildClients,
  ensureSystemPackages,
  ocrPackages,
  qpdf,
  seedDemo,
  seedDemoSlots,
  startProcess,
  subgraphNodeFlags,
  tail,
  type RunningProcess,
} from '@yuejuan/ops';
import { subgraphNames } from '@yuejuan/schema';
import { startSimulators, type Simulators } from './simulators.ts';

export type Kind = 'gateway' | (typeof subgraphNames)[number] | (typeof apps)[number];

/** One process of the cluster, known to HAProxy as `<backend>/<server>`. */
export interface Instance {
  kind: Kind;
  /** HAProxy's server name, e.g. `cases2`. */
  name: string;
  port: number;
  process?: RunningProcess;
  /** Starts of this instance (1 after the cluster started). */
  starts: number;
  /** Set while `restart` stops and starts it (the supervisor leaves it alone). */
  restarting?: boolean;
}

export interface ClusterOptions {
  /** Database, blobs, logs and HAProxy's socket. */
  dataDir: string;
  /** The gateway's public port; subgraphs' balanced ports follow it, the SMS inbox is +9, instances from +10. */
  base: number;
  /** The portal's public port; verifier and console follow, instances from +10. */
  clientBase: number;
  /** FerretDB's storage: PostgreSQL (as a deployment would) or SQLite. */
  backend?: 'postgresql' | 'sqlite';
  /** How long an instance answers /ready with 503 before it closes (HAProxy checks every 300 ms). */
  drainMs?: number;
  log?: (line: string) => void;
}

const local = (port: number) => `http://127.0.0.1:${port}`;

/** Ports of the layout: balanced addresses and the two instances of each kind. */
export function clusterPorts(base: number, clientBase: number) {
  const balanced: Record<Kind, number> = {
    gateway: base,
    ...Object.fromEntries(subgraphNames.map((n, i) => [n, base + 1 + i])),
    ...Object.fromEntries(apps.map((a, i) => [a, clientBase + i])),
  } as Record<Kind, number>;
  const instances: Record<Kind, [number, number]> = {
    gateway: [base + 10, base + 11],
    ...Object.fromEntries(
      subgraphNames.map((n, i) => [n, [base + 20 + 10 * i, base + 21 + 10 * i]]),
    ),
    ...Object.fromEntries(
      apps.map((a, i) => [a, [clientBase + 10 + 10 * i, clientBase + 11 + 10 * i]]),
    ),
  } as Record<Kind, [number, number]>;
  return { balanced, instances };
}

/** The environment haproxy.cfg reads its addresses from: `<KIND>_BIND` and `<KIND>1`, `<KIND>2`. */
export function haproxyEnv(ports: ReturnType<typeof clusterPorts>, socket: string) {
  const address = (port: number) => `127.0.0.1:${port}`;
  const env: Record<string, string> = { STATS_SOCKET: socket };
  for (const [kind, port] of Object.entries(ports.balanced)) {
    env[`${kind.toUpperCase()}_BIND`] = address(port);
    ports.instances[kind as Kind].forEach(
      (p, i) => (env[`${kind.toUpperCase()}${i + 1}`] = address(p)),
    );
  }
  return env;
}

/** Debian's HAProxy (apt package and command). */
export const haproxyPackage = { name: 'haproxy', provides: 'haproxy', purpose: '负载均衡（集群）' };
/** The committed configuration. */
export const haproxyConfig = () => join(repoRoot(), 'infra', 'cluster', 'haproxy.cfg');

/** Asks HAProxy's admin socket; answers its text. */
function askHaproxy(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(socket);
    let out = '';
    c.on('data', (d) => (out += d.toString()));
    c.on('end', () => resolve(out));
    c.on('error', reject);
    c.end(`${command}\n`);
  });
}

export async function startCluster(options: ClusterOptions) {
  const say = options.log ?? (() => {});
  const root = repoRoot();
  const logDir = join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const ports = clusterPorts(options.base, options.clientBase);
  const drainMs = options.drainMs ?? 1500;

  await ensureSystemPackages([haproxyPackage, qpdf, ...ocrPackages], say);
  say('构建客户端 (portal, verifier, console)…');
  if (!buildClients(root)) throw new Error('客户端构建失败。');

  const backend = options.backend ?? 'postgresql';
  say(`启动数据库 FerretDB (${backend === 'postgresql' ? 'PostgreSQL' : 'SQLite'})…`);
  const db: DatabaseHandle = await startDatabase({
    dataDir: join(options.dataDir, 'ferretdb'),
    backend,
    log: say,
  });
  let simulators: Simulators | undefined;
  let haproxy: ChildProcess | undefined;
  const instances: Instance[] = [];
  let stopping = false;

  const stop = async () => {
    stopping = true;
    for (const kind of ['portal', 'verifier', 'console', 'gateway', ...subgraphNames] as Kind[])
      await Promise.all(instances.filter((i) => i.kind === kind).map((i) => i.process?.stop()));
    if (haproxy && haproxy.exitCode === null) {
      const exited = new Promise((r) => haproxy!.once('exit', r));
      haproxy.kill('SIGTERM');
      await exited;
    }
    await simulators?.close();
    await db.stop();
  };

  try {
    const secrets = {
      internal: randomBytes(32).toString('hex'),
      idHash: randomBytes(32).toString('hex'),
      proxy: randomBytes(32).toString('hex'),
    };
    const seeded = await seedDemo({
      mongoUri: db.uri,
      identityDb: 'yuejuan_identity',
      casesDb: 'yuejuan_cases',
      idHashKey: secrets.idHash,
    });
    if (!seeded.seeded)
      throw new Error(`${options.dataDir} 已有数据：集群每次在新的数据目录中启动（含演示数据）。`);
    await seedDemoSlots({ mongoUri: db.uri, readingDb: 'yuejuan_reading' });
    simulators = await startSimulators(options.base + 9);

    const balanced = (kind: Kind) => local(ports.balanced[kind]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      MONGODB_URI: db.uri,
      YUEJUAN_INTERNAL_SECRET: secrets.internal,
      YUEJUAN_ID_HASH_KEY: secrets.idHash,
      APOLLO_TELEMETRY_DISABLED: 'true',
      SHUTDOWN_DRAIN_MS: String(drainMs),
      OAUTH_ISSUER: `${balanced('gateway')}/oauth`,
      OAUTH_CONSENT_URL: `${balanced('portal')}/oauth/consent`,
      BLOB_DIR: join(options.dataDir, 'blobs'),
      ...simulators.env,
      ...Object.fromEntries(
        subgraphNames.map((n) => [`${n.toUpperCase()}_INTERNAL_URL`, balanced(n)]),
      ),
    };
    const specOf = (kind: Kind, port: number, name: string) => {
      if (kind === 'gateway')
        return {
          name,
          entry: 'gateway/src/index.ts',
          healthUrl: `${local(port)}/ready`,
          env: {
            ...env,
            PORT: String(port),
            METRICS_PORT: String(port + 100),
            YUEJUAN_TRUSTED_PROXIES: '127.0.0.1,::1',
            YUEJUAN_PROXY_SECRET: secrets.proxy,
            YUEJUAN_ALLOWED_ORIGINS: apps.map((a) => balanced(a)).join(','),
            // Each gateway enforces its share of an application's rate limit (ADR 0012).
            GATEWAY_REPLICAS: String(ports.instances.gateway.length),
            ...Object.fromEntries(
              subgraphNames.map((n) => [`${n.toUpperCase()}_URL`, `${balanced(n)}/graphql`]),
            ),
          },
        };
      if ((apps as readonly string[]).includes(kind))
        return {
          name,
          entry: `clients/${kind}/build/index.js`,
          healthUrl: `${local(port)}/`,
          env: {
            ...env,
            PORT: String(port),
            HOST: '127.0.0.1',
            ORIGIN: balanced(kind),
            GATEWAY_URL: balanced('gateway'),
            BODY_SIZE_LIMIT: 'Infinity',
            ADDRESS_HEADER: 'x-forwarded-for',
            XFF_DEPTH: '1',
            YUEJUAN_PROXY_SECRET: secrets.proxy,
            PUBLIC_VERIFIER_URL: balanced('verifier'),
          },
        };
      return {
        name,
        entry: `subgraphs/${kind}/src/index.ts`,
        healthUrl: `${local(port)}/ready`,
        nodeFlags: subgraphNodeFlags,
        env: {
          ...env,
          PORT: String(port),
          METRICS_PORT: String(port + 100),
          READER_CACHE_DIR: join(options.dataDir, 'reader-cache', name),
          // A build left by a stopped instance is taken over by the other within this (default 60 s).
          BUILD_STALE_SECONDS: '10',
        },
      };
    };

    const launch = async (instance: Instance) => {
      instance.process = await startProcess(
        root,
        logDir,
        specOf(instance.kind, instance.port, instance.name),
      );
      instance.starts++;
      const child = instance.process.child;
      child.once('exit', (code, signal) => {
        if (stopping || instance.process?.child !== child || instance.restarting) return;
        say(`${instance.name} 意外退出 (${code ?? signal})，正在重新启动…`);
        void launch(instance).catch((err: Error) =>
          say(
            `${instance.name} 重新启动失败：${err.message}\n${tail(join(logDir, `${instance.name}.log`))}`,
          ),
        );
      });
    };
    const add = (kind: Kind) =>
      ports.instances[kind].map((port, i) => {
        const instance: Instance = {
          kind,
          name: `${kind}${i + 1}`,
          port,
          starts: 0,
        };
        instances.push(instance);
        return instance;
      });

    say('启动子图（每个两个实例）…');
    const subgraphInstances = subgraphNames.flatMap((n) => add(n));
    for (const round of [0, 1])
      await Promise.all(subgraphInstances.filter((_, i) => i % 2 === round).map(launch));

    // HAProxy: the committed configuration, addresses from the environment.
    const socket = join(options.dataDir, 'haproxy.sock');
    const haproxyLog = createWriteStream(join(logDir, 'haproxy.log'), { flags: 'a' });
    haproxy = spawn('haproxy', ['-db', '-f', haproxyConfig()], {
      env: { ...process.env, ...haproxyEnv(ports, socket) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    haproxy.stdout!.pipe(haproxyLog);
    haproxy.stderr!.pipe(haproxyLog);
    haproxy.once('exit', (code) => {
      if (!stopping) say(`HAProxy 意外退出 (${code})，日志 ${join(logDir, 'haproxy.log')}`);
    });

    /** HAProxy's view: `backend/server` → UP, DOWN, MAINT, … */
    const states = async (): Promise<Record<string, string>> => {
      const csv = await askHaproxy(socket, 'show stat');
      const out: Record<string, string> = {};
      for (const line of csv.split('\n')) {
        const f = line.split(',');
        if (f.length > 17 && f[1] !== 'FRONTEND' && f[1] !== 'BACKEND' && !line.startsWith('#'))
          out[`${f[0]}/${f[1]}`] = f[17]!.split(' ')[0]!;
      }
      return out;
    };
    /** Waits until HAProxy sends traffic to each of `list` (its health checks passed). */
    const waitUp = async (list: Instance[], timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await states().catch(() => ({}) as Record<string, string>);
        const down = list.filter((i) => s[`${i.kind}/${i.name}`] !== 'UP');
        if (!down.length) return;
        if (Date.now() > deadline)
          throw new Error(`HAProxy 未将 ${down.map((i) => i.name).join(', ')} 标记为可用`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await waitUp(subgraphInstances);

    say('启动网关与客户端（各两个实例）…');
    const gateways = add('gateway');
    await Promise.all(gateways.map(launch));
    await waitUp(gateways);
    const appInstances = apps.flatMap((a) => add(a));
    for (const round of [0, 1])
      await Promise.all(appInstances.filter((_, i) => i % 2 === round).map(launch));
    await waitUp(instances);

    const sim = simulators;
    return {
      urls: {
        gateway: balanced('gateway'),
        graphql: `${balanced('gateway')}/graphql`,
        portal: balanced('portal'),
        verifier: balanced('verifier'),
        console: balanced('console'),
        smsInbox: sim.inboxUrl,
      },
      databaseUri: db.uri,
      backend,
      logDir,
      instances,
      states,
      waitUp,
      simulators: sim,
      /**
       * Stops an instance (SIGTERM: drain, then close; SIGKILL: at once), starts it again and
       * waits until HAProxy sends it traffic.
       */
      async restart(instance: Instance, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') {
        const inst = instance;
        inst.restarting = true;
        try {
          if (signal === 'SIGTERM') await inst.process?.stop();
          else {
            const child = inst.process!.child;
            const exited = new Promise((r) => child.once('exit', r));
            child.kill('SIGKILL');
            await exited;
          }
          await launch(inst);
        } finally {
          inst.restarting = false;
        }
        await waitUp([inst]);
      },
      /** SIGKILL without a restart by the caller: the supervisor starts it again. */
      kill(instance: Instance) {
        instance.process?.child.kill('SIGKILL');
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
export type Cluster = Awaited<ReturnType<typeof startCluster>>;
