// Resident memory of the reading process and of its children (qpdf, the watermark page
// writer), sampled from /proc every 100 ms, per phase of the benchmark.
import { readFileSync } from 'node:fs';
import { childPids, memory } from '../lib/procstat.ts';

const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
};
const toMb = (kb: number) => Math.round(kb / 102.4) / 10;

/** Samples `pid` and its children until stop(); phase() starts a new phase of the reading process's figures. */
export class Sampler {
  private readonly phases = new Map<string, number>();
  private current = 'start';
  /** Per kind of child (`qpdf`; `watermark`, the node child writing the watermark page; others by name): largest VmHWM seen, and how many ran. */
  private readonly children = new Map<string, { peakKb: number; pids: Set<number> }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    sampleMs = 100,
  ) {
    this.timer = setInterval(() => this.sample(), sampleMs);
    this.sample();
  }

  private sample(): void {
    const own = memory(this.pid);
    if (own && Number.isFinite(own.rssKb))
      this.phases.set(this.current, Math.max(this.phases.get(this.current) ?? 0, own.rssKb));
    for (const child of childPids(this.pid)) {
      const m = memory(child);
      if (!m || !Number.isFinite(m.peakKb)) continue; // gone, or a zombie without memory lines
      const name = comm(child);
      const kind = name === 'qpdf' ? 'qpdf' : name === 'node' ? 'watermark' : name; // e.g. tsx's esbuild service
      const entry = this.children.get(kind) ?? { peakKb: 0, pids: new Set<number>() };
      entry.peakKb = Math.max(entry.peakKb, m.peakKb);
      entry.pids.add(child);
      this.children.set(kind, entry);
    }
  }

  /** Starts sampling the reading process's RSS under a new name. */
  phase(name: string): void {
    this.sample();
    this.current = name;
  }

  /** Stops; answers MB figures: the reading process's largest sampled RSS per phase and its lifetime peak (VmHWM), and each kind of child's peak. */
  stop() {
    this.sample();
    clearInterval(this.timer);
    return {
      reading: {
        maxRssMbByPhase: Object.fromEntries([...this.phases].map(([k, v]) => [k, toMb(v)])),
        lifetimePeakMb: toMb(memory(this.pid)?.peakKb ?? 0),
      },
      children: Object.fromEntries(
        [...this.children].map(([k, v]) => [
          k,
          { peakMb: toMb(v.peakKb), processesSeen: v.pids.size },
        ]),
      ),
    };
  }
}
