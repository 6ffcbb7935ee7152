import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ensureFerretDB } from './build.ts';
import { spawnGuarded, type ExitInfo, type Spawned } from './child.ts';
import { waitForHello } from './health.ts';
import { closeLog, openLog, readLogTail } from './logfile.ts';
import { defaultDataDir } from './paths.ts';
import { freePort, isPortFree } from './ports.ts';

export interface DatabaseHandle {
  /** `mongodb://host:port/` without a database name; callers pick databases. */
  uri: string;
  /** True when we started FerretDB, false when MONGODB_URI was used. */
  embedded: boolean;
  /** Stops the embedded server (no-op for MONGODB_URI). Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** SQLite files go here; default `<repo>/.data/ferretdb`. Logs go to `<dataDir>.log`. */
  dataDir?: string;
  /** Loopback port; default a free one. */
  port?: number;
  /** Only consulted for MONGODB_URI; default process.env. */
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
 * and starts nothing (production path). Otherwise starts FerretDB with the SQLite
 * backend on 127.0.0.1 and resolves once it answers `hello`.
 */
export async function startDatabase(opts: StartOptions = {}): Promise<DatabaseHandle> {
  const external = (opts.env ?? process.env)['MONGODB_URI']?.trim();
  if (external) return { uri: external, embedded: false, stop: async () => {} };

  const log = opts.log ?? (() => {});
  const bin = await ensureFerretDB({ toolsDir: opts.toolsDir, log });
  const dataDir = resolve(opts.dataDir ?? defaultDataDir());
  checkDataDir(dataDir);
  await mkdir(dataDir, { recursive: true });

  if (opts.port !== undefined) {
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535)
      throw new Error(`Invalid port ${opts.port}`);
    // Without this check FerretDB would fail to bind, but our hello probe could reach
    // whatever already listens there and report success.
    if (!(await isPortFree(opts.port)))
      throw new Error(`Port ${opts.port} on 127.0.0.1 is already in use`);
  }

  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const result = await launch(bin, dataDir, port, log);
    if ('handle' in result) return result.handle;
    // A picked port can be grabbed by someone else before FerretDB binds it: pick again.
    const retry = opts.port === undefined && result.portTaken && attempt < PORT_ATTEMPTS;
    if (!retry) throw result.error;
  }
}

type LaunchResult = { handle: DatabaseHandle } | { error: Error; portTaken: boolean };

async function launch(
  bin: string,
  dataDir: string,
  port: number,
  log: (l: string) => void,
): Promise<LaunchResult> {
  const logPath = `${dataDir}.log`;
  const { fd, start } = openLog(logPath);
  let spawned: Spawned;
  try {
    spawned = spawnGuarded(bin, ferretArgs(dataDir, port), {
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
  log(`FerretDB listening at ${uri} (data ${dataDir}, log ${logPath})`);
  const handle: DatabaseHandle = {
    uri,
    embedded: true,
    stop: () => {
      stopping = true;
      return spawned.stop(STOP_GRACE_MS);
    },
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
 */
function ferretArgs(dataDir: string, port: number): string[] {
  return [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/?_pragma=synchronous(FULL)`,
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
