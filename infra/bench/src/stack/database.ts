import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FERRETDB_VERSION, postgresBinDir, startDatabase } from '@yuejuan/database';
import { freePort, removeOnExit, sleep } from '../lib/processes.ts';
import { childPids, pidsByCommandLine } from '../lib/procstat.ts';

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
export async function startBenchDatabase(
  backend: Backend,
  _logDir?: string,
): Promise<BenchDatabase> {
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
  // FerretDB on PostgreSQL, as the project's launcher runs it (the cluster in <dir>/pg). A
  // restart stops and starts both, on the same ports and data.
  const dataDir = join(dir, 'ferretdb');
  const [port, postgresPort] = [await freePort(), await freePort()];
  const start = () => startDatabase({ dataDir, port, postgresPort, backend, env: {} });
  try {
    let handle = await start();
    const version = execFileSync(join(postgresBinDir()!, 'postgres'), ['--version'], {
      encoding: 'utf8',
    }).trim();
    return {
      uri: handle.uri,
      backend,
      description: `FerretDB ${FERRETDB_VERSION}, PostgreSQL backend (${version}, Debian package, default settings)`,
      pids: () => handle.pids().flatMap((pid) => [pid, ...childPids(pid)]),
      async restart(downMs) {
        await handle.stop();
        const downAt = Date.now();
        await sleep(downMs);
        handle = await start();
        return { downAt, upAt: Date.now() };
      },
      async stop() {
        await handle.stop();
        cleanup();
      },
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}
