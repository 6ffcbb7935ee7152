import autocannon from 'autocannon';
import { isDeepStrictEqual } from 'node:util';
import type { SubgraphName } from '@yuejuan/schema';
import { ProcessWatch, memory } from '../lib/procstat.ts';
import { round } from '../lib/stats.ts';
import type { Subgraphs } from '../stack/subgraphs.ts';
import { runClosedLoop } from '../gateways/direct.ts';

/** Total requests the subgraphs have received so far (all paths). */
export async function totalSubgraphRequests(
  subgraphs: Subgraphs,
): Promise<{ total: number; bySubgraph: Record<string, number> }> {
  const counts = await subgraphs.counts();
  const bySubgraph = Object.fromEntries(
    (Object.entries(counts) as [SubgraphName, Record<string, number>][]).map(([n, c]) => [
      n,
      Object.values(c).reduce((a, b) => a + b, 0),
    ]),
  );
  return { total: Object.values(bySubgraph).reduce((a, b) => a + b, 0), bySubgraph };
}

/** POSTs one operation; returns status and body text. */
export async function post(
  url: string,
  body: string,
  token: string,
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * Checks a gateway answers like the reference (same data, no errors), and counts exactly how
 * many subgraph requests one client request makes (`n` sequential requests, nothing else running).
 */
export async function checkTarget(o: {
  url: string;
  body: string;
  token: string;
  subgraphs: Subgraphs;
  reference?: unknown;
  n?: number;
}) {
  const n = o.n ?? 10;
  const first = await post(o.url, o.body, o.token);
  const parsed = JSON.parse(first.text) as { data?: unknown; errors?: unknown[] };
  const problems: string[] = [];
  if (first.status !== 200) problems.push(`HTTP ${first.status}`);
  if (parsed.errors?.length)
    problems.push(`errors: ${JSON.stringify(parsed.errors).slice(0, 300)}`);
  if (o.reference !== undefined && !isDeepStrictEqual(parsed.data, o.reference))
    problems.push("data differs from our gateway's");
  const before = await totalSubgraphRequests(o.subgraphs);
  let last = first.text;
  for (let i = 0; i < n; i++) last = (await post(o.url, o.body, o.token)).text;
  const after = await totalSubgraphRequests(o.subgraphs);
  const perSubgraph = Object.fromEntries(
    Object.keys(after.bySubgraph).map((k) => [
      k,
      round((after.bySubgraph[k]! - (before.bySubgraph[k] ?? 0)) / n, 2),
    ]),
  );
  if (last !== first.text)
    problems.push('responses to identical requests differ (cannot check bodies under load)');
  return {
    data: parsed.data,
    body: last,
    problems,
    subgraphRequestsPerRequest: round((after.total - before.total) / n, 2),
    perSubgraph,
  };
}

export interface TurnResult {
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU of the gateway process per completed request (null for the direct replay). */
  gatewayCpuMsPerRequest: number | null;
  /** CPU of the four subgraph processes per completed request. */
  subgraphCpuMsPerRequest: number;
  /** CPU of the database processes (FerretDB, PostgreSQL) per completed request. */
  databaseCpuMsPerRequest: number;
  gatewayMaxRssMiB: number | null;
  subgraphRequestsPerRequest: number;
}

/** One measured turn of one target on one operation. */
export async function runTurn(o: {
  kind: 'gateway' | 'direct';
  url?: string;
  body?: string;
  token?: string;
  expectBody?: string;
  gatewayPid?: number;
  replayOnce?: () => Promise<boolean>;
  subgraphs: Subgraphs;
  databasePids: number[];
  connections: number;
  seconds: number;
}): Promise<TurnResult> {
  const subgraphPids = Object.values(o.subgraphs.processes).map((p) => p.pid);
  const pids = [...(o.gatewayPid ? [o.gatewayPid] : []), ...subgraphPids, ...o.databasePids];
  const before = await totalSubgraphRequests(o.subgraphs);
  const watch = new ProcessWatch(pids);
  let requests: number, rps: number, p50: number, p99: number, errors: number;
  if (o.kind === 'gateway') {
    const r = await autocannon({
      url: o.url!,
      method: 'POST',
      connections: o.connections,
      duration: o.seconds,
      timeout: 10,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.token}` },
      body: o.body!,
      expectBody: o.expectBody,
    });
    requests = r.requests.total;
    rps = r.requests.total / r.duration;
    p50 = r.latency.p50;
    p99 = r.latency.p99;
    errors = r.errors + r.timeouts + r.non2xx + r.mismatches;
  } else {
    const r = await runClosedLoop(o.replayOnce!, o.connections, o.seconds * 1000);
    ({ requests, p50, p99, errors } = r);
    rps = r.requestsPerSecond;
  }
  const usage = watch.stop();
  const after = await totalSubgraphRequests(o.subgraphs);
  const per = (x: number) => round(x / Math.max(1, requests), 3);
  const subgraphCpu = subgraphPids.reduce((a, pid) => a + (usage.get(pid)?.cpuMs ?? 0), 0);
  return {
    requests,
    requestsPerSecond: round(rps, 1),
    p50: round(p50),
    p99: round(p99),
    errors,
    gatewayCpuMsPerRequest: o.gatewayPid ? per(usage.get(o.gatewayPid)?.cpuMs ?? NaN) : null,
    subgraphCpuMsPerRequest: per(subgraphCpu),
    databaseCpuMsPerRequest: per(
      o.databasePids.reduce((a, pid) => a + (usage.get(pid)?.cpuMs ?? 0), 0),
    ),
    gatewayMaxRssMiB: o.gatewayPid
      ? round((usage.get(o.gatewayPid)?.maxRssKb ?? NaN) / 1024, 1)
      : null,
    subgraphRequestsPerRequest: round((after.total - before.total) / Math.max(1, requests), 2),
  };
}

/** Lifetime peak RSS of a process (VmHWM), MiB. */
export const peakRssMiB = (pid: number): number | null => {
  const m = memory(pid);
  return m ? round(m.peakKb / 1024, 1) : null;
};
