import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, sleep, startProcess, type Running } from '../lib/processes.ts';

/** Debian's PostgreSQL server binaries (package postgresql). */
export function postgresBin(): string | undefined {
  for (const v of ['17', '16', '15']) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(dir, 'postgres'))) return dir;
  }
  return undefined;
}

export interface PostgresCluster {
  url: string;
  version: string;
  process: Running;
  stop(): Promise<void>;
}

/**
 * A throw-away PostgreSQL cluster on 127.0.0.1 in `dir`, owned by the `postgres` user when we
 * are root (PostgreSQL refuses to run as root), trust authentication on loopback only.
 */
export async function startPostgres(dir: string, logDir: string): Promise<PostgresCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL server not installed: apt-get install -y postgresql');
  const root = process.getuid?.() === 0;
  const asPostgres = (cmd: string, args: string[]) =>
    (root
      ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args]]
      : [cmd, args]) as [string, string[]];
  const data = join(dir, 'data');
  const sockets = join(dir, 'sock');
  mkdirSync(sockets, { recursive: true });
  if (root) {
    const { uid, gid } = idsOf('postgres');
    chmodSync(join(dir, '..'), 0o711); // the temporary parent is 0700 root: let postgres pass through
    chownSync(dir, uid, gid);
    chownSync(sockets, uid, gid);
  }
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const [initCmd, initArgs] = asPostgres(join(bin, 'initdb'), [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--no-instructions',
  ]);
  try {
    execFileSync(initCmd, initArgs, { env, stdio: 'pipe', timeout: 120_000 });
  } catch (err) {
    throw new Error(
      `initdb failed: ${String((err as { stderr?: Buffer }).stderr ?? err)
        .trim()
        .split('\n')
        .slice(-5)
        .join(' ')}`,
      { cause: err },
    );
  }
  const port = await freePort();
  const [cmd, args] = asPostgres(join(bin, 'postgres'), [
    '-D',
    data,
    '-k',
    sockets,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
  ]);
  const proc = await startProcess({ name: 'postgres', command: cmd, args, env, cwd: dir, logDir });
  const isReady = () => {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], {
        stdio: 'ignore',
        timeout: 5000,
      });
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + 30_000;
  while (!isReady()) {
    if (proc.isDead() || Date.now() > deadline)
      throw new Error(`PostgreSQL did not start; see ${proc.logFile}`);
    await sleep(200);
  }
  execFileSync(
    'psql',
    ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', 'CREATE DATABASE ferretdb'],
    { env, stdio: 'ignore', timeout: 30_000 },
  );
  const version = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/ferretdb`,
    version,
    process: proc,
    stop: () => proc.stop(10_000),
  };
}

function idsOf(user: string): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' })),
    gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' })),
  };
}
