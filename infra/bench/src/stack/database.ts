import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import {
  debugAddr,
  ensureFerretDB,
  FERRETDB_VERSION,
  ferretEnv,
  repoRoot,
  startDatabase,
} from '@yuejuan/database';
import { freePort, removeOnExit, sleep, startProcess, type Running } from '../lib/processes.ts';
import { childPids, pidsByCommandLine } from '../lib/procstat.ts';
import { startPostgres, type PostgresCluster } from './postgres.ts';

export const backends = ['sqlite', 'postgresql'] as const;
export type Backend = (typeof backends)[number];

export interface BenchDatabase {
  uri: string;
  backend: Backend;
  /** What runs behind the URI, for the result file. */
  description: string;
  /** The database's processes now (FerretDB, and PostgreSQL with its backends): their CPU is measured. */
  pids(): number[];
  /** Stops the MongoDB-wire server (FerretDB) and starts it again on the same port and data. */
  restart(downMs: number): Promise<{ downAt: number; upAt: number }>;
  stop(): Promise<void>;
}

/**
 * A fresh database server for one benchmark run in a temporary folder: FerretDB on SQLite as
 * the project's embedded launcher runs it, or FerretDB on a throw-away PostgreSQL cluster.
 */
export async function startBenchDatabase(backend: Backend, logDir: string): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), `yuejuan-bench-${backend}-`));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  removeOnExit(dir);
  if (backend === 'sqlite') {
    const port = await freePort();
    const dataDir = join(dir, 'ferretdb');
    let handle = await startDatabase({ dataDir, port, env: {} });
    return {
      uri: handle.uri,
      backend,
      description: `FerretDB ${FERRETDB_VERSION}, SQLite backend (synchronous FULL)`,
      pids: () => pidsByCommandLine(`--listen-addr=127.0.0.1:${port}`),
      async restart(downMs) {
        await handle.stop();
        const downAt = Date.now();
        await sleep(downMs);
        handle = await startDatabase({ dataDir, port, env: {} });
        return { downAt, upAt: Date.now() };
      },
      async stop() {
        await handle.stop();
        cleanup();
      },
    };
  }
  let pg: PostgresCluster | undefined;
  try {
    pg = await startPostgres(join(dir, 'pg'), logDir);
    const bin = await ensureFerretDB({ toolsDir: join(repoRoot(), '.tools') });
    const port = await freePort();
    const uri = `mongodb://127.0.0.1:${port}/`;
    const startFerret = async () => {
      const p = await startProcess({
        name: 'ferretdb-postgresql',
        command: bin,
        cwd: dir,
        logDir,
        env: ferretEnv(),
        args: [
          '--handler=postgresql',
          `--postgresql-url=${pg!.url}`,
          `--state-dir=${dir}`,
          `--listen-addr=127.0.0.1:${port}`,
          `--debug-addr=${debugAddr()}`,
          '--telemetry=disable',
          '--log-level=warn',
          '--log-format=json',
        ],
      });
      await waitForHello(uri, p);
      return p;
    };
    let ferret = await startFerret();
    return {
      uri,
      backend,
      description: `FerretDB ${FERRETDB_VERSION}, PostgreSQL backend (${pg.version}, Debian package, default settings)`,
      pids: () => [
        ...pidsByCommandLine(`--listen-addr=127.0.0.1:${port}`),
        pg!.process.pid,
        ...childPids(pg!.process.pid),
      ],
      async restart(downMs) {
        await ferret.stop();
        const downAt = Date.now();
        await sleep(downMs);
        ferret = await startFerret();
        return { downAt, upAt: Date.now() };
      },
      async stop() {
        await ferret.stop();
        await pg!.stop();
        cleanup();
      },
    };
  } catch (err) {
    await pg?.stop();
    cleanup();
    throw err;
  }
}

async function waitForHello(uri: string, p: Running): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (p.isDead()) throw new Error(`FerretDB exited during startup; see ${p.logFile}`);
    const client = new MongoClient(uri, { directConnection: true, serverSelectionTimeoutMS: 1000 });
    const ok = await client
      .db('admin')
      .command({ ping: 1 })
      .then(
        () => true,
        () => false,
      );
    await client.close().catch(() => undefined);
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`FerretDB did not answer within 30 s; see ${p.logFile}`);
    await sleep(200);
  }
}
