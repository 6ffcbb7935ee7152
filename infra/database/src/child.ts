import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

// Children still running; killed synchronously when this process exits.
const live = new Set<ChildProcess>();
let guardInstalled = false;

/** What ended a child process. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface Spawned {
  child: ChildProcess;
  /** Settles once, when the process has exited or failed to spawn. */
  exited: Promise<ExitInfo>;
  /** `signal` (default SIGTERM), then SIGKILL after `graceMs`; resolves after exit. Idempotent. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Spawns a long-running child that must not outlive us. Two layers:
 * - a process 'exit' handler SIGKILLs it on any normal exit, process.exit() or
 *   uncaught exception;
 * - on Linux, `setpriv --pdeathsig KILL` (util-linux) makes the kernel kill it even if
 *   we are SIGKILLed (e.g. a test worker torn down hard), where no handler runs.
 *   setpriv execs the target, so the pid and signals are the target's own.
 * `runAs` (a user name, when we are root) runs the child as that user, through the same setpriv
 * (it sets the parent-death signal after changing the ids, so the signal survives).
 */
export function spawnGuarded(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logFd: number; runAs?: string },
): Spawned {
  installGuard();
  const setpriv = process.platform === 'linux' ? findSetpriv() : undefined;
  if (opts.runAs && !setpriv)
    throw new Error(`setpriv (util-linux) is needed to run as ${opts.runAs}`);
  const user = opts.runAs
    ? [`--reuid=${opts.runAs}`, `--regid=${opts.runAs}`, '--init-groups']
    : [];
  const [file, argv] = setpriv
    ? [setpriv, ['--pdeathsig', 'KILL', ...user, '--', cmd, ...args]]
    : [cmd, args];

  const child = spawn(file, argv, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', opts.logFd, opts.logFd],
    // Its own process group: a terminal's Ctrl-C reaches the whole foreground group, and the
    // database must outlive the services using it, so the parent stops it last.
    detached: true,
  });
  live.add(child);

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  }).finally(() => live.delete(child));

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    })());

  return { child, exited, stop };
}

function installGuard(): void {
  if (guardInstalled) return;
  guardInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

let setprivPath: string | null | undefined;

function findSetpriv(): string | undefined {
  if (setprivPath === undefined) {
    setprivPath = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;
  }
  return setprivPath ?? undefined;
}
