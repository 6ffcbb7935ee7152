import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@yuejuan/database';

// Every process the harness starts, killed when the harness exits however it exits.
const live = new Set<ChildProcess>();
const scratch = new Set<string>();
let guarded = false;
function installGuard(): void {
  if (guarded) return;
  guarded = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });
  // Ctrl-C or a kill of the harness: exit (the handler above then kills the children).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => process.exit(130));
}

/** A temporary folder removed when the harness exits, however it exits (after its processes are killed). */
export function removeOnExit(dir: string): void {
  installGuard();
  scratch.add(dir);
}

// On Linux the kernel kills a child whose parent dies even by SIGKILL (no handler runs then).
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface ProcessSpec {
  name: string;
  /** The program and its arguments; `node` means this Node.js. */
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logDir: string;
  /** URL that answers 2xx once the process is ready (omit to not wait). */
  healthUrl?: string;
  /** Any HTTP answer of the health URL means ready (servers without a health route). */
  healthAnyStatus?: boolean;
  /** An IPC channel to the child (the request counters of the subgraphs use it). */
  ipc?: boolean;
  startTimeoutMs?: number;
}

export interface Running {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether it has exited. */
  isDead(): boolean;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Last lines of a log, to say why a process died. */
export const tail = (file: string, n = 15): string => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
};

/** Starts a process with its output in `<logDir>/<name>.log`, and waits for its health URL. */
export async function startProcess(spec: ProcessSpec): Promise<Running> {
  installGuard();
  mkdirSync(spec.logDir, { recursive: true });
  const logFile = join(spec.logDir, `${spec.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const command = spec.command === 'node' ? process.execPath : spec.command;
  const [file, argv] = setpriv
    ? [setpriv, ['--pdeathsig', 'KILL', '--', command, ...spec.args]]
    : [command, spec.args];
  const child = spawn(file, argv, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe', ...(spec.ipc ? ['ipc' as const] : [])],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  live.add(child);
  let dead = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      dead = true;
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', () => {
      dead = true;
      live.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  const running: Running = {
    name: spec.name,
    pid: child.pid ?? -1,
    child,
    logFile,
    exited,
    isDead: () => dead,
    async stop(graceMs = 5000) {
      if (dead) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(force);
    },
  };
  if (spec.healthUrl)
    await waitHealthy(running, spec.healthUrl, spec.startTimeoutMs ?? 60_000, spec.healthAnyStatus);
  return running;
}

/** Polls a health URL until it answers 2xx; fails if the process exits or the deadline passes. */
export async function waitHealthy(
  p: Running,
  url: string,
  timeoutMs: number,
  anyStatus = false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.isDead())
      throw new Error(`${p.name} exited during startup; log ${p.logFile}:\n${tail(p.logFile)}`);
    if (
      await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok || anyStatus,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) {
      await p.stop(0);
      throw new Error(
        `${p.name} not ready within ${timeoutMs / 1000} s; log ${p.logFile}:\n${tail(p.logFile)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A port nobody listens on now (below the kernel's range for outgoing connections). */
export { freePort };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
