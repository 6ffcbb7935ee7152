import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnGuarded, type ExitInfo } from './child.ts';
import { run, tail } from './exec.ts';
import { canConnect } from './health.ts';
import { closeLog, openLog, readLogTail } from './logfile.ts';
import { freePort, isPortFree } from './ports.ts';
import { ensureSystemPackages, type SystemPackage } from './system-packages.ts';

/** The PostgreSQL database FerretDB keeps its databases in (one schema per MongoDB database). */
export const FERRETDB_PG_DATABASE = 'ferretdb';
const STARTUP_DEADLINE_MS = 60_000;
const STOP_GRACE_MS = 15_000;

/** The directory of Debian's PostgreSQL server binaries (newest major version installed). */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** Debian's PostgreSQL server, for FerretDB's PostgreSQL backend. */
export const postgresqlPackage: SystemPackage = {
  name: 'postgresql',
  provides: '/usr/lib/postgresql/<version>/bin/postgres',
  purpose: 'FerretDB 的 PostgreSQL 后端',
  present: () => postgresBinDir() !== undefined,
};

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/ferretdb`: FerretDB's `--postgresql-url`. */
  url: string;
  port: number;
  /** `postgres (PostgreSQL) 15.x`. */
  version: string;
  /** The postmaster (its backends are its children). */
  child: ChildProcess;
  /** Fast shutdown (SIGINT: clients are disconnected, the cluster is checkpointed); idempotent. */
  stop(): Promise<void>;
}

/**
 * A PostgreSQL cluster in `dir` on 127.0.0.1: installs Debian's `postgresql` package when it is
 * missing, runs `initdb` once (trust authentication, loopback only, no Unix socket), starts
 * `postgres` and creates the `ferretdb` database. PostgreSQL refuses to run as root, so as root
 * the cluster belongs to and runs as Debian's `postgres` system user, and the folders above
 * `dir` get the search (x) bit for others where they lack it.
 */
export async function startPostgres(o: {
  dir: string;
  port?: number;
  logPath: string;
  log: (line: string) => void;
}): Promise<PostgresServer> {
  await ensureSystemPackages([postgresqlPackage], o.log);
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql');
  const runAs = process.getuid?.() === 0 ? 'postgres' : undefined;
  await prepareDir(o.dir, runAs, o.log);
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const as = (cmd: string, args: string[]): [string, string[]] =>
    runAs
      ? ['setpriv', [`--reuid=${runAs}`, `--regid=${runAs}`, '--init-groups', '--', cmd, ...args]]
      : [cmd, args];

  if (!existsSync(join(o.dir, 'PG_VERSION'))) {
    o.log(`initdb ${o.dir}`);
    const init = await run(
      ...as(join(bin, 'initdb'), [
        ...['-D', o.dir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C'],
        '--no-instructions',
      ]),
      { env, cwd: o.dir, timeoutMs: 120_000 },
    );
    if (init.code !== 0)
      throw new Error(`initdb ${o.dir} failed:\n${tail(init.stdout + init.stderr, 10)}`);
  }

  if (o.port !== undefined && !(await isPortFree(o.port)))
    throw new Error(`Port ${o.port} on 127.0.0.1 is already in use`);
  const port = o.port ?? (await freePort());
  const { fd, start } = openLog(o.logPath);
  let spawned;
  try {
    spawned = spawnGuarded(
      join(bin, 'postgres'),
      [
        ...['-D', o.dir, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`],
        ...['-c', 'unix_socket_directories=', '-c', 'logging_collector=off'],
      ],
      { cwd: o.dir, env, logFd: fd, runAs },
    );
  } finally {
    closeLog(fd);
  }
  let exit: ExitInfo | undefined;
  void spawned.exited.then((info) => (exit = info));
  const stop = () => spawned.stop(STOP_GRACE_MS, 'SIGINT');

  const failed = async (why: string) => {
    await spawned.stop(0);
    return new Error(
      `PostgreSQL did not start on 127.0.0.1:${port}: ${why}. Log ${o.logPath}, last lines:\n${readLogTail(o.logPath, start, 15)}`,
    );
  };
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  for (;;) {
    if (exit) throw await failed(`exited (${exit.code ?? exit.signal})`);
    if (await canConnect(port)) {
      const ready = await run(join(bin, 'pg_isready'), readyArgs(port), { env, timeoutMs: 5000 });
      if (ready.code === 0) break;
    }
    if (Date.now() > deadline) throw await failed('no answer within 60 s');
    await sleep(100);
  }

  try {
    const created = await run(
      join(bin, 'createdb'),
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', FERRETDB_PG_DATABASE],
      { env, timeoutMs: 30_000 },
    );
    if (created.code !== 0 && !created.stderr.includes('already exists'))
      throw new Error(`createdb ${FERRETDB_PG_DATABASE} failed: ${tail(created.stderr, 5)}`);
    const version = (await run(join(bin, 'postgres'), ['--version'], { env })).stdout.trim();
    o.log(`PostgreSQL listening at 127.0.0.1:${port} (data ${o.dir}, log ${o.logPath})`);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/${FERRETDB_PG_DATABASE}`,
      port,
      version,
      child: spawned.child,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

const readyArgs = (port: number) => ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'];

/**
 * The cluster's folder, owned by the user PostgreSQL runs as, mode 0700 (initdb insists). As
 * root, that user must also be able to pass through every folder above it: a temporary folder
 * (mkdtemp makes them 0700) gets the search bit for others, nothing more (no listing, no write).
 */
async function prepareDir(dir: string, runAs: string | undefined, log: (l: string) => void) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!runAs) return;
  const uid = Number((await run('id', ['-u', runAs])).stdout.trim());
  const gid = Number((await run('id', ['-g', runAs])).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new Error(`No system user ${runAs} (it comes with Debian's postgresql package)`);
  const st = statSync(dir);
  if (st.uid !== uid) await chownTree(dir, uid, gid);
  await chmod(dir, 0o700);
  for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      log(`chmod o+x ${d} (so that ${runAs} can reach ${dir})`);
      await chmod(d, (mode & 0o7777) | 0o001);
    }
  }
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  if (!statSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) await chownTree(join(path, name), uid, gid);
}
