import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

// Clock ticks per second of /proc/<pid>/stat's utime and stime (100 on every Linux we know,
// but asked once rather than assumed).
let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** CPU time (user + system) a process has used so far, in milliseconds; null when it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / clockTicks();
  } catch {
    return null;
  }
}

export interface Memory {
  /** Resident set now, KiB. */
  rssKb: number;
  /** Peak resident set since the process started (VmHWM), KiB. */
  peakKb: number;
}

/** Resident memory of a process; null when it is gone. */
export function memory(pid: number): Memory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), peakKb: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** CPU time and memory of a set of processes over an interval (a benchmark run). */
export class ProcessWatch {
  private readonly startCpu = new Map<number, number>();
  private readonly maxRss = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  /** Starts watching `pids`, sampling RSS every `sampleMs`. */
  constructor(
    private readonly pids: number[],
    sampleMs = 250,
  ) {
    for (const pid of pids) this.startCpu.set(pid, cpuMs(pid) ?? 0);
    this.sample();
    this.timer = setInterval(() => this.sample(), sampleMs);
    this.timer.unref();
  }

  private sample(): void {
    for (const pid of this.pids) {
      const m = memory(pid);
      if (m) this.maxRss.set(pid, Math.max(this.maxRss.get(pid) ?? 0, m.rssKb));
    }
  }

  /** Stops sampling: CPU milliseconds used and largest RSS seen (KiB) per pid. */
  stop(): Map<number, { cpuMs: number; maxRssKb: number }> {
    clearInterval(this.timer);
    this.sample();
    const out = new Map<number, { cpuMs: number; maxRssKb: number }>();
    for (const pid of this.pids) {
      out.set(pid, {
        cpuMs: (cpuMs(pid) ?? this.startCpu.get(pid)!) - this.startCpu.get(pid)!,
        maxRssKb: this.maxRss.get(pid) ?? 0,
      });
    }
    return out;
  }
}

/** Pids of processes whose command line contains `needle` (e.g. a listen address). */
export function pidsByCommandLine(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(needle))
        out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out.filter((pid) => pid !== process.pid);
}

/** Direct children of a process (PostgreSQL's backends under its postmaster). */
export function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (
        new RegExp(`^PPid:\\s+${parent}$`, 'm').test(readFileSync(`/proc/${entry}/status`, 'utf8'))
      )
        out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
