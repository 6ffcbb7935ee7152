// Benchmark (c): latency at a fixed arrival rate (open loop), by default half of Hive Gateway's
// peak from the latest gateway-load result; with --soak, a long run of our gateway at that rate
// whose RSS must grow less than 10% (the issue asks for 10 minutes: --seconds=600, the default).
//   npx tsx infra/bench/src/bench/open-loop.ts [--backend=sqlite] [--operation=personal-centre]
//     [--rate=<req/s>] [--seconds=30] [--rounds=6] [--targets=ours,hive] [--final]
//   (--seconds per target, cut into --rounds turns taken in a rotating order)
//   npx tsx infra/bench/src/bench/open-loop.ts --soak [--seconds=600] [--rate=<req/s>]
import { repoRoot } from '@yuejuan/database';
import { parseArgs } from '../lib/args.ts';
import { describeMachine } from '../lib/machine.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import { memory } from '../lib/procstat.ts';
import { writeResult } from '../lib/results.ts';
import { LatencyRecorder, median, round } from '../lib/stats.ts';
import { backends } from '../stack/database.ts';
import { startBenchStack } from '../stack/setup.ts';
import {
  describeTarget,
  gatewayTargets,
  startGateway,
  type GatewayTarget,
  type RunningGateway,
} from '../gateways/targets.ts';
import { operationNames, requestBody, type OperationName } from '../operations.ts';
import { checkTarget } from './turn.ts';
import { readResults, writeSummary } from '../summary.ts';

const args = parseArgs();
const soak = args.flag('soak');
const backend = args.string('backend', 'sqlite', backends);
const op = args.string<OperationName>('operation', 'personal-centre', operationNames);
const seconds = args.number('seconds', soak ? 600 : 30);
const targets = args.list('targets', soak ? ['ours'] : ['ours', 'hive']) as GatewayTarget[];
const rounds = args.number('rounds', soak ? 1 : 6);
const final = args.flag('final');
const explicitRate = args.number('rate', 0);
args.done();
for (const t of targets) if (!gatewayTargets.includes(t)) throw new Error(`unknown gateway ${t}`);

/** Half of Hive Gateway's peak for this backend and operation, from the newest load result. */
function halfHivePeak(): { rate: number; source: string } {
  const load = readResults().find(
    (r) =>
      r.benchmark === 'gateway-load' && r.variant === backend && r.figures?.byTarget?.hive?.[op],
  );
  if (!load)
    throw new Error(
      `no gateway-load result with Hive for ${backend}/${op}: run the load benchmark first, or pass --rate`,
    );
  return {
    rate: round(load.figures.byTarget.hive[op].requestsPerSecond / 2, 1),
    source: load.file,
  };
}
const { rate, source } =
  explicitRate > 0 ? { rate: explicitRate, source: '--rate' } : halfHivePeak();

const root = repoRoot();
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine(root);
const log = (line: string) => console.log(`[${soak ? 'soak' : 'open-loop'}] ${line}`);
const stack = await startBenchStack({ backend, run: `${soak ? 'soak' : 'open-loop'}-${backend}` });
const gateways: RunningGateway[] = [];
try {
  const o = {
    root,
    logDir: stack.logDir,
    supergraphPath: stack.supergraphPath,
    manifestPath: stack.manifestPath,
    urls: stack.subgraphs.urls,
    secret: stack.secrets.internal,
    logLevel: 'warn',
  };
  const figures: Record<string, unknown> = {};
  const notes: string[] = [];
  // Every target is started, checked and warmed up first; then the measured time is cut into
  // rounds taken in turn, in a rotating order, so that a slow spell of the shared machine (or
  // the stack warming up) does not fall on one target only. A target's latencies are pooled
  // over its rounds; each round's own figures are kept too.
  const runs: {
    t: GatewayTarget;
    gw: RunningGateway;
    load: Omit<Parameters<typeof runOpenLoop>[0], 'seconds'>;
    recorder: LatencyRecorder;
    turns: Awaited<ReturnType<typeof runOpenLoop>>[];
  }[] = [];
  for (const t of targets) {
    const gw = await startGateway(t, o);
    gateways.push(gw);
    const body = requestBody(op, stack.seeded.lawyerId, t === 'ours');
    const check = await checkTarget({
      url: gw.url,
      body,
      token: stack.seeded.token,
      subgraphs: stack.subgraphs,
      n: 3,
    });
    if (check.problems.length) throw new Error(`${t}: ${check.problems.join('; ')}`);
    const load = {
      url: gw.url,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${stack.seeded.token}`,
      },
      body,
      expectBody: check.body,
      rate,
    };
    runs.push({
      t,
      gw,
      load,
      recorder: new LatencyRecorder(Math.ceil(rate * seconds) + 10),
      turns: [],
    });
  }
  for (const r of runs) await runOpenLoop({ ...r.load, seconds: Math.min(10, seconds) }); // warm-up, not measured
  const samples = new Map<
    GatewayTarget,
    { atSeconds: number; gatewayRssMiB: number; subgraphsRssMiB: number }[]
  >(runs.map((r) => [r.t, []]));
  const turnSeconds = seconds / rounds;
  for (let round_ = 0; round_ < rounds; round_++) {
    for (let k = 0; k < runs.length; k++) {
      const r = runs[(round_ + k) % runs.length]!;
      const offset = round_ * turnSeconds * 1000;
      const sample = (ms: number) => {
        const g = memory(r.gw.process.pid);
        const sg = Object.values(stack.subgraphs.processes).reduce(
          (a, p) => a + (memory(p.pid)?.rssKb ?? 0),
          0,
        );
        if (g)
          samples.get(r.t)!.push({
            atSeconds: round((offset + ms) / 1000, 1),
            gatewayRssMiB: round(g.rssKb / 1024, 1),
            subgraphsRssMiB: round(sg / 1024, 1),
          });
      };
      if (round_ === 0) sample(0);
      const turn = await runOpenLoop({
        ...r.load,
        seconds: turnSeconds,
        recorder: r.recorder,
        onSample: sample,
        sampleEveryMs: soak ? 5000 : 1000,
      });
      sample(turnSeconds * 1000);
      r.turns.push(turn);
      if (rounds > 1)
        log(
          `round ${round_ + 1}/${rounds} ${r.t}: p50 ${turn.latencyMs.p50} / p99 ${turn.latencyMs.p99} ms, errors ${turn.errors}`,
        );
    }
  }
  for (const r of runs) {
    const sum = (f: (x: (typeof r.turns)[number]) => number) =>
      r.turns.reduce((a, x) => a + f(x), 0);
    const errorKinds: Record<string, number> = {};
    for (const x of r.turns)
      for (const [k, n] of Object.entries(x.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + n;
    const latencyMs = r.recorder.summary();
    const x: Record<string, unknown> = {
      targetRate: rate,
      achievedRate: round(sum((x) => x.sent) / seconds, 1),
      sent: sum((x) => x.sent),
      completed: sum((x) => x.completed),
      errors: sum((x) => x.errors),
      errorKinds,
      dropped: sum((x) => x.dropped),
      seconds: round(
        sum((x) => x.seconds),
        1,
      ),
      latencyMs,
      gatewayPeakRssMiB: round((memory(r.gw.process.pid)?.peakKb ?? NaN) / 1024, 1),
      p99OverP50: round(latencyMs.p99 / latencyMs.p50, 2),
      ...(rounds > 1
        ? {
            rounds: r.turns.map((t) => ({
              p50: t.latencyMs.p50,
              p99: t.latencyMs.p99,
              max: t.latencyMs.max,
              errors: t.errors,
            })),
          }
        : {}),
    };
    const rss = samples.get(r.t)!;
    if (soak) {
      // Baseline after the first tenth of the run (at most a minute): start-up and JIT are not growth.
      const settle = Math.min(60, seconds / 10);
      const after = rss.filter((s) => s.atSeconds >= settle);
      const baseline = after[0]?.gatewayRssMiB ?? NaN;
      const end = median(rss.slice(-5).map((s) => s.gatewayRssMiB));
      Object.assign(x, {
        rssBaselineMiB: baseline,
        rssEndMiB: end,
        rssGrowthPercent: round(((end - baseline) / baseline) * 100, 1),
        rssGrowthUnder10Percent: (end - baseline) / baseline < 0.1,
        samples: rss,
      });
    }
    figures[r.t] = x;
    log(`${r.t}: ${JSON.stringify({ ...x, samples: undefined, rounds: undefined })}`);
  }
  for (const r of runs) {
    await r.gw.process.stop();
    if (!soak && r.gw.process.isDead() === false) notes.push(`${r.t} did not stop`);
  }
  const path = writeResult({
    benchmark: soak ? 'soak' : 'open-loop',
    variant: `${backend}-${op}`,
    startedAt,
    provisional: !final,
    machineAtStart,
    figures,
    notes,
    configuration: {
      backend,
      database: stack.database.description,
      operation: op,
      rate,
      rateSource: explicitRate > 0 ? source : `half of Hive Gateway's peak in ${source}`,
      seconds,
      rounds,
      warmupSeconds: Math.min(10, seconds),
      targets: Object.fromEntries(targets.map((t) => [t, describeTarget(t)])),
      seed: stack.seeded.sizes,
      gatewayEnv: { NODE_ENV: 'production' },
      loadGenerator:
        "open loop over http.Agent in the harness process; latency from each request's due time",
    },
  });
  writeSummary();
  log(`wrote ${path}`);
} finally {
  await Promise.all(gateways.map((g) => g.process.stop()));
  await stack.stop();
}
