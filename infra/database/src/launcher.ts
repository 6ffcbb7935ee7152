import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ensureFerretDB } from './build.ts';
import { spawnGuarded, type ExitInfo, type Spawned } from './child.ts';
import { waitForHello } from './health.ts';
import { closeLog, openLog, readLogTail } from './logfile.ts';
import { defaultDataDir } from './paths.ts';
import { freePort, isPortFree } from './ports.ts';
import { startPostgres, type PostgresServer } from './postgres.ts';

/** FerretDB's storage: SQLite files (the default) or a PostgreSQL cluster. */
export const backends = ['sqlite', 'postgresql'] as const;
export type Backend = (typeof backends)[number];

export interface DatabaseHandle {
  /** `mongodb://host:port/` without a database name; callers pick databases. */
  uri: string;
  /** True when we started FerretDB, false when MONGODB_URI was used. */
  embedded: boolean;
  /** What FerretDB stores into; absent for MONGODB_URI. */
  backend?: Backend;
  /** The PostgreSQL cluster's URL (backend 'postgresql'), e.g. for psql. */
  postgresUrl?: string;
  /** The processes started (FerretDB, PostgreSQL's postmaster) while they run. */
  pids(): number[];
  /** Stops the embedded server (FerretDB, then PostgreSQL); no-op for MONGODB_URI. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Data folder, default `<repo>/.data/ferretdb`: the SQLite files, or the PostgreSQL cluster in
   * `<dataDir>/pg`. FerretDB logs to `<dataDir>.log`, PostgreSQL to `<dataDir>.postgresql.log`.
   */
  dataDir?: string;
  /** FerretDB's loopback port; default a free one. */
  port?: number;
  /** Default `YUEJUAN_DB_BACKEND` of `env`, else 'sqlite'. */
  backend?: Backend;
  /** PostgreSQL's loopback port (backend 'postgresql'); default a free one. */
  postgresPort?: number;
  /** Consulted for MONGODB_URI and YUEJUAN_DB_BACKEND; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Passed to ensureFerretDB. */
  toolsDir?: string;
  log?: (line: string) => void;
}

const STARTUP_DEADLINE_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 3;

/**
 * A MongoDB-compatible server for dev, tests and CI. With MONGODB_URI set, returns it
 * and starts nothing (production path). Otherwise starts FerretDB on 127.0.0.1 with its SQLite
 * backend, or with its PostgreSQL backend on a PostgreSQL cluster of its own (`backend:
 * 'postgresql'` or YUEJUAN_DB_BACKEND=postgresql), and resolves once it answers `hello`.
 */
export async function startDatabase(opts: StartOptions = {}): Promise<DatabaseHandle> {
  const env = opts.env ?? process.env;
  const external = env['MONGODB_URI']?.trim();
  if (external) return { uri: external, embedded: false, pids: () => [], stop: async () => {} };
  const backend = opts.backend ?? parseBackend(env['YUEJUAN_DB_BACKEND']);

  const log = opts.log ?? (() => {});
  const bin = await ensureFerretDB({ toolsDir: opts.toolsDir, log });
  const dataDir = resolve(opts.dataDir ?? defaultDataDir());
  checkDataDir(dataDir);
  await mkdir(dataDir, { recursive: true });

  for (const p of [opts.port, opts.postgresPort]) {
    if (p === undefined) continue;
    if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`Invalid port ${p}`);
    // Without this check FerretDB would fail to bind, but our hello probe could reach
    // whatever already listens there and report success.
    if (!(await isPortFree(p))) throw new Error(`Port ${p} on 127.0.0.1 is already in use`);
  }

  const pg =
    backend === 'postgresql'
      ? await startPostgres({
          dir: join(dataDir, 'pg'),
          port: opts.postgresPort,
          logPath: `${dataDir}.postgresql.log`,
          log,
        })
      : undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort());
      const result = await launch(bin, dataDir, port, log, pg);
      if ('handle' in result) return result.handle;
      // A picked port can be grabbed by someone else before FerretDB binds it: pick again.
      const retry = opts.port === undefined && result.portTaken && attempt < PORT_ATTEMPTS;
      if (!retry) throw result.error;
    }
  } catch (err) {
    await pg?.stop();
    throw err;
  }
}

function parseBackend(value: string | undefined): Backend {
  const v = value?.trim() || 'sqlite';
  if (!(backends as readonly string[]).includes(v))
    throw new Error(`YUEJUAN_DB_BACKEND must be sqlite or postgresql, got ${JSON.stringify(v)}`);
  return v as Backend;
}

type LaunchResult = { handle: DatabaseHandle } | { error: Error; portTaken: boolean };

async function launch(
  bin: string,
  dataDir: string,
  port: number,
  log: (l: string) => void,
  pg: PostgresServer | undefined,
): Promise<LaunchResult> {
  const logPath = `${dataDir}.log`;
  const { fd, start } = openLog(logPath);
  let spawned: Spawned;
  try {
    spawned = spawnGuarded(bin, ferretArgs(dataDir, port, pg?.url), {
      cwd: dataDir,
      env: childEnv(),
      logFd: fd,
    });
  } finally {
    closeLog(fd); // the child holds its own copy of the fd
  }

  let exit: ExitInfo | undefined;
  let ready = false; // startup failures are reported by the thrown error instead
  let stopping = false;
  void spawned.exited.then((info) => {
    exit = info;
    if (ready && !stopping)
      log(`FerretDB on port ${port} ${describeExit(info)} unexpectedly; see ${logPath}`);
  });

  const uri = `mongodb://127.0.0.1:${port}/`;
  const gaveUp = () => (exit ? describeExit(exit) : undefined);
  const reason =
    (await waitForHello(uri, { port, deadlineMs: STARTUP_DEADLINE_MS, gaveUp })) ?? gaveUp();
  if (reason) {
    await spawned.stop(0);
    const logTail = readLogTail(logPath, start, 20);
    return {
      error: new Error(
        `FerretDB did not start on 127.0.0.1:${port}: ${reason}. Log ${logPath}, last lines:\n${logTail}`,
      ),
      portTaken: logTail.includes('address already in use'),
    };
  }

  ready = true;
  log(
    `FerretDB listening at ${uri} (${pg ? 'PostgreSQL' : 'SQLite'}, data ${dataDir}, log ${logPath})`,
  );
  let stopped: Promise<void> | undefined;
  const alive = (s: { exitCode: number | null; signalCode: unknown; pid?: number }) =>
    s.exitCode === null && s.signalCode === null && s.pid !== undefined;
  const handle: DatabaseHandle = {
    uri,
    embedded: true,
    backend: pg ? 'postgresql' : 'sqlite',
    postgresUrl: pg?.url,
    pids: () => [spawned.child, ...(pg ? [pg.child] : [])].filter(alive).map((c) => c.pid!),
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        await spawned.stop(STOP_GRACE_MS);
        await pg?.stop();
      })()),
  };
  return { handle };
}

/**
 * Command line for FerretDB 1.24.
 *
 * --debug-addr=-: FerretDB skips its debug HTTP listener (metrics/pprof) when the
 *   address is "" or "-" (cmd/ferretdb/main.go); its default 127.0.0.1:8088 would make
 *   a second instance fail, so it is off. For profiling, YUEJUAN_FERRETDB_DEBUG_ADDR
 *   (a loopback host:port) turns it on: Go's pprof at http://<addr>/debug/pprof/.
 *
 * --sqlite-url ...?_pragma=synchronous(FULL): FerretDB's pool.parseURI keeps any
 *   query parameters, only adding busy_timeout/journal_mode(wal)/auto_vacuum defaults,
 *   and copies them onto every per-database URI; the modernc.org/sqlite driver runs
 *   each `_pragma` value as `PRAGMA ...` on every new connection. Verified against the
 *   v1.24.2 source: PRAGMA synchronous reads 2 (FULL) on every pooled connection, and
 *   `synchronous(NORMAL)` reads 1, so the parameter is really applied. (FULL is also
 *   this build's default, but we ask explicitly so durability doesn't hinge on it.)
 *
 * --handler=postgresql --postgresql-url=postgres://…/ferretdb: FerretDB 1.24's flag is
 *   `postgresql` (not `pg`); each MongoDB database becomes a schema of that one PostgreSQL
 *   database. FerretDB 1.24 loads the collection metadata once and keeps it in memory, so one
 *   FerretDB per PostgreSQL database: a second one would not see collections the first creates.
 */
function ferretArgs(dataDir: string, port: number, postgresUrl?: string): string[] {
  return [
    ...(postgresUrl
      ? ['--handler=postgresql', `--postgresql-url=${postgresUrl}`]
      : ['--handler=sqlite', `--sqlite-url=file:${dataDir}/?_pragma=synchronous(FULL)`]),
    `--state-dir=${dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    `--debug-addr=${debugAddr()}`,
    '--telemetry=disable',
    '--log-level=info',
    '--log-format=json',
  ];
}

/** FerretDB's debug listener: off, or on loopback for profiling (YUEJUAN_FERRETDB_DEBUG_ADDR). */
export function debugAddr(env: NodeJS.ProcessEnv = process.env): string {
  const addr = env['YUEJUAN_FERRETDB_DEBUG_ADDR']?.trim();
  if (!addr) return '-';
  if (!/^127\.0\.0\.1:\d{1,5}$/.test(addr))
    throw new Error(
      `YUEJUAN_FERRETDB_DEBUG_ADDR must be 127.0.0.1:<port>, got ${JSON.stringify(addr)}`,
    );
  return addr;
}

/**
 * Our flags must be the whole configuration: drop FERRETDB_* variables (e.g. setup users).
 *
 * GOGC=400 (unless set): FerretDB 1.24 decodes every document it scans into fresh Go objects,
 * so at Go's default (100) a third of its CPU under load went to the garbage collector and
 * allocation assists (CPU profile of the portal's queries). At 400 the same queries cost it
 * about 30 % less CPU for about 50 MB more memory.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('FERRETDB_')),
  );
  return { GOGC: '400', ...env };
}

/**
 * FerretDB re-serialises the path inside its SQLite URIs without escaping, so
 * characters with URI meaning would silently point SQLite elsewhere.
 */
function checkDataDir(dir: string): void {
  if (/[?#%]/.test(dir))
    throw new Error(`FerretDB data dir must not contain '?', '#' or '%': ${dir}`);
}

function describeExit(info: ExitInfo): string {
  if (info.error) return `failed to start (${info.error.message})`;
  if (info.signal) return `was killed by ${info.signal}`;
  return `exited with code ${info.code}`;
}
