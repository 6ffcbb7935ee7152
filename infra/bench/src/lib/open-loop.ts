import http from 'node:http';
import { LatencyRecorder, round } from './stats.ts';

export interface OpenLoopOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** When set, a response with another body counts as an error. */
  expectBody?: string;
  /** Requests per second, sent on schedule whatever the answers do. */
  rate: number;
  seconds: number;
  /** Requests in flight above this are not sent but counted as dropped (bounds memory). */
  maxInFlight?: number;
  /** Called every `sampleEveryMs` during the run (the soak samples memory here). */
  onSample?: (elapsedMs: number) => void;
  sampleEveryMs?: number;
  /** Latencies also go here (the rounds of one target pool theirs in one recorder). */
  recorder?: LatencyRecorder;
  /** Every answer (or failure: status 0), with when it was due and its body (the fault runs classify them). */
  onResponse?: (r: { dueMs: number; endMs: number; status: number; body: string }) => void;
}

/**
 * An open-loop load generator: requests leave at a fixed arrival rate, and each latency is
 * measured from when the request was due, not when it left — a closed loop such as autocannon
 * waits for answers and so hides queueing (coordinated omission).
 */
export async function runOpenLoop(o: OpenLoopOptions) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const own = new LatencyRecorder(Math.min(5_000_000, Math.ceil(o.rate * o.seconds) + 10));
  const maxInFlight = o.maxInFlight ?? 5000;
  let sent = 0,
    completed = 0,
    errors = 0,
    dropped = 0,
    inFlight = 0;
  const errorKinds: Record<string, number> = {};
  const fail = (kind: string) => {
    errors++;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const total = Math.floor(o.rate * o.seconds);
  const started = performance.now();
  const startedAtEpoch = Date.now();
  let nextSample = o.sampleEveryMs ?? Infinity;
  const send = (due: number) => {
    inFlight++;
    sent++;
    const req = http.request(
      o.url,
      {
        method: 'POST',
        agent,
        headers: { ...o.headers, 'content-length': Buffer.byteLength(o.body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          inFlight--;
          completed++;
          const now = performance.now();
          own.add(now - due);
          o.recorder?.add(now - due);
          const text = Buffer.concat(chunks).toString('utf8');
          o.onResponse?.({
            dueMs: due - started,
            endMs: now - started,
            status: res.statusCode ?? 0,
            body: text,
          });
          if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}`);
          else if (o.expectBody !== undefined && text !== o.expectBody) fail('unexpected body');
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      inFlight--;
      completed++;
      const now = performance.now();
      own.add(now - due);
      o.recorder?.add(now - due);
      o.onResponse?.({ dueMs: due - started, endMs: now - started, status: 0, body: '' });
      fail(err.message === 'timeout' ? 'timeout' : 'connection');
    });
    req.end(o.body);
  };
  let i = 0;
  while (i < total) {
    const elapsed = performance.now() - started;
    const dueCount = Math.min(total, Math.floor((elapsed / 1000) * o.rate) + 1);
    for (; i < dueCount; i++) {
      if (inFlight >= maxInFlight) {
        dropped++;
        continue;
      }
      send(started + (i / o.rate) * 1000);
    }
    if (elapsed >= nextSample) {
      o.onSample?.(elapsed);
      nextSample += o.sampleEveryMs!;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const drainDeadline = performance.now() + 35_000;
  while (inFlight > 0 && performance.now() < drainDeadline)
    await new Promise((r) => setTimeout(r, 10));
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return {
    startedAtEpoch,
    targetRate: o.rate,
    achievedRate: round(sent / o.seconds, 1),
    sent,
    completed,
    errors,
    errorKinds,
    dropped,
    seconds: round(seconds, 1),
    latencyMs: own.summary(),
  };
}
