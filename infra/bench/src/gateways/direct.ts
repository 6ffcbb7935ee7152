import http from 'node:http';
import { mintToken } from './forward.ts';
import type { RecordedRequest } from './record.ts';
import { LatencyRecorder, round } from '../lib/stats.ts';

/**
 * Replays the subgraph requests of one client request straight at the subgraphs, stage by
 * stage (a stage's requests in parallel), with fresh tokens: the work the subgraphs do for
 * one client request with no gateway at all — the limit a gateway can approach.
 */
export function createReplayer(stages: RecordedRequest[][], secret: string) {
  const width = Math.max(1, ...stages.map((s) => s.length));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  // Tokens live 30 s; minting one per request would load the client, not the subgraphs.
  const tokens = new Map<string, { token: string; at: number }>();
  const tokenFor = async (r: RecordedRequest) => {
    const key = `${r.audience}|${JSON.stringify(r.identity)}`;
    const hit = tokens.get(key);
    if (hit && Date.now() - hit.at < 10_000) return hit.token;
    const token = await mintToken(secret, r.audience, r.identity);
    tokens.set(key, { token, at: Date.now() });
    return token;
  };
  const send = async (r: RecordedRequest): Promise<boolean> => {
    const token = await tokenFor(r);
    return new Promise((resolve) => {
      const req = http.request(
        r.url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(r.body),
            'x-internal-token': token,
          },
        },
        (res) => {
          let size = 0;
          let errors = false;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (!errors && c.includes('"errors"')) errors = true;
          });
          res.on('end', () => resolve(res.statusCode === 200 && size > 0 && !errors));
        },
      );
      req.on('error', () => resolve(false));
      req.setTimeout(30_000, () => req.destroy());
      req.end(r.body);
    });
  };
  /** One client request's worth of subgraph work; true when every response was clean. */
  const replayOnce = async (): Promise<boolean> => {
    let ok = true;
    for (const stage of stages) ok = (await Promise.all(stage.map(send))).every(Boolean) && ok;
    return ok;
  };
  return {
    width,
    requestsPerReplay: stages.flat().length,
    replayOnce,
    close: () => agent.destroy(),
  };
}

/** Closed loop like autocannon: `connections` replays in flight for `durationMs`. */
export async function runClosedLoop(
  replayOnce: () => Promise<boolean>,
  connections: number,
  durationMs: number,
) {
  const latencies = new LatencyRecorder();
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await replayOnce();
        latencies.add(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const s = latencies.summary();
  return {
    requests: s.count,
    requestsPerSecond: round(s.count / seconds, 1),
    p50: s.p50,
    p99: s.p99,
    errors,
  };
}
