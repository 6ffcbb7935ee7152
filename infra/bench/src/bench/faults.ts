// Benchmark (d): faults under load. Reads at a fixed rate and a steady trickle of writes
// (markNotificationRead) through our gateway while (1) a subgraph is killed (SIGKILL) and
// started again, and (2) the database server is stopped and started again. Reports the errors
// clients saw, crashes (processes that died on their own: must be 0), the recovery time (from
// the component being back to the last failed request), and acknowledged writes lost (must be 0).
//   npx tsx infra/bench/src/bench/faults.ts [--backend=sqlite] [--scenarios=subgraph,database]
//     [--subgraph=cases] [--rate=10] [--before=10] [--down=5] [--after=15] [--final]
import { MongoClient } from 'mongodb';
import { repoRoot } from '@yuejuan/database';
import { subgraphNames, type SubgraphName } from '@yuejuan/schema';
import { parseArgs } from '../lib/args.ts';
import { describeMachine } from '../lib/machine.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import { sleep } from '../lib/processes.ts';
import { writeResult } from '../lib/results.ts';
import { backends } from '../stack/database.ts';
import { defaultSizes } from '../stack/seed.ts';
import { databaseNames, startBenchStack } from '../stack/setup.ts';
import { startGateway } from '../gateways/targets.ts';
import { documentHash, markNotificationRead, requestBody } from '../operations.ts';
import { writeSummary } from '../summary.ts';

const args = parseArgs();
const backend = args.string('backend', 'sqlite', backends);
const scenarios = args.list('scenarios', ['subgraph', 'database']);
const victim = args.string<SubgraphName>('subgraph', 'cases', subgraphNames);
const rate = args.number('rate', 10);
const before = args.number('before', 10);
const down = args.number('down', 5);
const after = args.number('after', 15);
const final = args.flag('final');
args.done();

const root = repoRoot();
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine(root);
const log = (line: string) => console.log(`[faults] ${line}`);
// Enough unread notifications for one write every 200 ms through every scenario.
const writesPerScenario = Math.ceil((before + down + after) * 5) + 10;
const stack = await startBenchStack({
  backend,
  run: `faults-${backend}`,
  sizes: {
    ...defaultSizes,
    notifications: writesPerScenario * scenarios.length + 5,
    unread: writesPerScenario * scenarios.length + 5,
  },
});
const gw = await startGateway('ours', {
  root,
  logDir: stack.logDir,
  supergraphPath: stack.supergraphPath,
  manifestPath: stack.manifestPath,
  urls: stack.subgraphs.urls,
  secret: stack.secrets.internal,
  logLevel: 'warn',
});
const mongo = new MongoClient(stack.database.uri, {
  directConnection: true,
  serverSelectionTimeoutMS: 20_000,
});
try {
  const unread = (
    await mongo
      .db(databaseNames.notifications)
      .collection('notifications')
      .find({ readAt: null }, { projection: { _id: 1 } })
      .toArray()
  ).map((d) => String(d._id));
  const headers = {
    'content-type': 'application/json',
    authorization: `Bearer ${stack.seeded.token}`,
  };
  const figures: Record<string, unknown> = {};
  for (const scenario of scenarios) {
    const outcomes: { dueMs: number; endMs: number; kind: 'ok' | 'partial' | 'error' }[] = [];
    const acknowledged: string[] = [];
    let writeErrors = 0;
    let t0 = 0;
    let stopWriter = false;
    const writer = (async () => {
      while (!stopWriter && unread.length) {
        const id = unread.shift()!;
        const body = JSON.stringify({
          documentId: `sha256:${documentHash(markNotificationRead)}`,
          variables: { id },
        });
        const r = await fetch(gw.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(30_000),
        }).then(
          async (res) => ({
            status: res.status,
            json: (await res.json().catch(() => ({}))) as {
              data?: { markNotificationRead?: { id: string; readAt: string | null } };
              errors?: unknown[];
            },
          }),
          () => null,
        );
        if (r?.status === 200 && !r.json.errors && r.json.data?.markNotificationRead?.readAt)
          acknowledged.push(id);
        else writeErrors++;
        await sleep(200);
      }
    })();
    const fault = (async () => {
      await sleep(before * 1000);
      const downAt = Date.now();
      if (scenario === 'subgraph') {
        stack.subgraphs.processes[victim].child.kill('SIGKILL');
        await stack.subgraphs.processes[victim].exited;
        await sleep(down * 1000);
        await stack.subgraphs.restart(victim);
        return { downAt, upAt: Date.now() };
      }
      return stack.database.restart(down * 1000);
    })();
    const load = await runOpenLoop({
      url: gw.url,
      headers,
      body: requestBody('personal-centre', stack.seeded.lawyerId, true),
      rate,
      seconds: before + down + after,
      onResponse: (r) => {
        let kind: 'ok' | 'partial' | 'error' = 'error';
        if (r.status === 200) {
          const j = JSON.parse(r.body) as {
            data?: { lawyer?: unknown } | null;
            errors?: unknown[];
          };
          kind = !j.errors?.length ? 'ok' : j.data?.lawyer ? 'partial' : 'error';
        }
        outcomes.push({ dueMs: r.dueMs, endMs: r.endMs, kind });
      },
    });
    t0 = load.startedAtEpoch;
    stopWriter = true;
    await writer;
    const { downAt, upAt } = await fault;
    const bad = outcomes.filter((o) => o.kind !== 'ok');
    const lastBadEnd = bad.length ? Math.max(...bad.map((o) => t0 + o.endMs)) : 0;
    const readAt = new Map(
      (
        await mongo
          .db(databaseNames.notifications)
          .collection('notifications')
          .find({ _id: { $in: acknowledged as never[] } })
          .toArray()
      ).map((d) => [String(d._id), d.readAt]),
    );
    const lost = acknowledged.filter((id) => !readAt.get(id)).length;
    const applications = await mongo
      .db(databaseNames.cases)
      .collection('binding_applications')
      .countDocuments({ lawyerId: stack.seeded.lawyerId });
    const crashed = [gw.process, ...Object.values(stack.subgraphs.processes)]
      .filter((p) => p.isDead())
      .map((p) => p.name);
    const x = {
      fault:
        scenario === 'subgraph'
          ? `SIGKILL of the ${victim} subgraph, started again after ${down} s`
          : `database server stopped, started again after ${down} s`,
      downForMs: upAt - downAt,
      reads: {
        sent: load.sent,
        ok: outcomes.filter((o) => o.kind === 'ok').length,
        partial: outcomes.filter((o) => o.kind === 'partial').length,
        errors: outcomes.filter((o) => o.kind === 'error').length,
        dropped: load.dropped,
      },
      firstErrorAfterFaultMs: bad.length
        ? Math.max(0, Math.min(...bad.map((o) => t0 + o.endMs)) - downAt)
        : null,
      recoveryMs: lastBadEnd > upAt ? lastBadEnd - upAt : 0,
      readLatencyMs: load.latencyMs,
      writes: { acknowledged: acknowledged.length, failed: writeErrors, lost },
      seededApplicationsIntact: applications === stack.seeded.sizes.cases,
      crashes: crashed.length,
      crashed,
    };
    figures[scenario] = x;
    log(`${scenario}: ${JSON.stringify(x)}`);
    await sleep(2000);
  }
  const path = writeResult({
    benchmark: 'faults',
    variant: backend,
    startedAt,
    provisional: !final,
    machineAtStart,
    figures,
    notes: [],
    configuration: {
      backend,
      database: stack.database.description,
      rate,
      secondsBefore: before,
      secondsDown: down,
      secondsAfter: after,
      reads: 'personal-centre, open loop',
      writes: 'markNotificationRead, one every 200 ms, sequential',
      gateway: 'ours, NODE_ENV=production',
      subgraphTimeoutMs: 'gateway default',
    },
  });
  writeSummary();
  log(`wrote ${path}`);
} finally {
  await mongo.close().catch(() => undefined);
  await gw.process.stop();
  await stack.stop();
}
