// The province benchmark (issue 17, part 6): a year of one province seeded at growing sizes on
// each backend, and the portal's and console's hot paths measured through the real gateway.
//
//   npx tsx infra/bench/src/province/run.ts [--sizes=1,10,50,100] [--backends=sqlite,postgresql]
//       [--samples=30] [--limit-ms=5000] [--budget-min=50] [--final]
//
// Per backend: one stack (FerretDB from the project's launcher, the four subgraphs, our gateway in
// production mode); the sizes in ascending order, each seeded on top of the one before. Each
// operation is sampled one request at a time, each request under --limit-ms; three time-outs in a
// row end that operation at that size and the larger ones (a result, not a failure). A size whose
// seeding would not fit in what is left of --budget-min is skipped and recorded as such.
import { MongoClient } from 'mongodb';
import { connectMongo, createEventBus, createLogger, type EventBus } from '@yuejuan/runtime';
import { createIdentityServices } from '@yuejuan/identity/services';
import { backends, type Backend } from '@yuejuan/database';
import { parseArgs } from '../lib/args.ts';
import { describeMachine } from '../lib/machine.ts';
import { childPids, cpuMs } from '../lib/procstat.ts';
import { writeResult } from '../lib/results.ts';
import { writeSummary } from '../summary.ts';
import { repoRoot } from '@yuejuan/database';
import {
  clientOperations,
  notMeasured,
  openSubscription,
  runOperation,
  sampleSeries,
  type Figure,
} from './measure.ts';
import { keyMeasures, measureKeyPaths, type KeyMeasure } from './key-paths.ts';
import { model, seedProvince, procuratorates } from './seed.ts';
import { provinceDatabases, startProvinceStack, type ProvinceStack } from './stack.ts';
import { hash, volumesAt, type Volumes } from './volume.ts';

// `--sizes 1,10` as well as `--sizes=1,10`.
const argv: string[] = [];
for (let i = 2; i < process.argv.length; i++) {
  const [a, next] = [process.argv[i]!, process.argv[i + 1]];
  if (/^--[a-z-]+$/.test(a) && next !== undefined && !next.startsWith('--')) {
    argv.push(`${a}=${next}`);
    i++;
  } else argv.push(a);
}
const args = parseArgs(argv);
const sizes = args
  .list('sizes', ['1', '10', '50', '100'])
  .map(Number)
  .sort((a, b) => a - b);
const chosen = args.list('backends', [...backends]) as Backend[];
const samples = args.number('samples', 30);
const limitMs = args.number('limit-ms', 5000);
const budgetMs = args.number('budget-min', 50) * 60_000;
const final = args.flag('final');
args.done();
for (const b of chosen)
  if (!(backends as readonly string[]).includes(b)) throw new Error(`unknown backend ${b}`);
if (sizes.some((s) => !(s > 0 && s <= 100)))
  throw new Error('--sizes are percentages, 0 < s ≤ 100');

const log = (line: string) => console.log(`[province] ${line}`);
const run = `province-${new Date().toISOString().replace(/[:.]/g, '-')}`;
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine(repoRoot());
const ops = clientOperations();
const op = (name: string) => {
  const o = ops.get(name);
  if (!o) throw new Error(`${name} is not in the clients' persisted operations`);
  return o;
};
const yearEnd = new Date();

interface SizeResult {
  percent: number;
  volumes: Volumes;
  seeded: { documents: Record<string, number>; seconds: number } | null;
  figures: Record<string, Figure>;
  /** Each query of the personal centre on its own. */
  parts: Record<string, Figure>;
  note?: string;
}

const measures = [
  'personalCentre',
  'reviewQueue',
  'boundCases',
  'subscription',
  ...keyMeasures,
] as const;
type Measure = (typeof measures)[number];

async function measureBackend(backend: Backend, deadline: number): Promise<SizeResult[]> {
  const results: SizeResult[] = [];
  log(`${backend}: starting the stack…`);
  const stack = await startProvinceStack(backend, run);
  const given = new Set<Measure>(); // measures that timed out: not tried at larger sizes
  try {
    const gateway = stack.gateway.url;
    const consent = await fetch(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documentId: `sha256:${op('PortalConsent').hash}` }),
    }).then((r) => r.json() as Promise<{ data?: { currentConsentText?: { version: string } } }>);
    const consentVersion = consent.data?.currentConsentText?.version;
    if (!consentVersion) throw new Error(`no consent version: ${JSON.stringify(consent)}`);

    let previous: Volumes | null = null;
    let rate: number | null = null; // documents per second while seeding, measured
    for (const percent of sizes) {
      const volumes = volumesAt(percent);
      const total = (v: Volumes | null) =>
        v ? Object.values(v).reduce((a, b) => a + b, 0) * 2.3 : 0; // devices, sessions, attachments…
      const need = total(volumes) - total(previous);
      if (rate && Date.now() + (need / rate) * 1000 > deadline) {
        results.push({
          percent,
          volumes,
          seeded: null,
          figures: Object.fromEntries(
            measures.map((m) => [m, notMeasured('seeding would not fit the time budget')]),
          ),
          parts: {},
          note: `seeding ~${Math.round(need)} more documents at ${Math.round(rate)}/s would pass the time budget (--budget-min)`,
        });
        log(`${backend} ${percent} %: skipped (time budget)`);
        continue;
      }
      log(`${backend} ${percent} %: seeding…`);
      const seeded = await seedProvince({
        uri: stack.database.uri,
        db: provinceDatabases,
        idHashKey: stack.secrets.idHash,
        from: previous,
        to: volumes,
        yearEnd,
        consentVersion,
        log: (l) => log(`${backend} ${percent} %: ${l}`),
      });
      const docs = Object.values(seeded.documents).reduce((a, b) => a + b, 0);
      rate = docs / seeded.seconds;
      log(`${backend} ${percent} %: seeded ${docs} documents in ${Math.round(seeded.seconds)} s`);
      previous = volumes;
      const settledMs = await settle(stack);
      log(`${backend} ${percent} %: database settled after ${Math.round(settledMs / 1000)} s`);
      const { figures, parts } = await measureSize(stack, volumes, given);
      results.push({ percent, volumes, seeded, figures, parts });
      for (const m of measures) if (figures[m]!.status === 'timed out') given.add(m);
      log(
        `${backend} ${percent} %: ${measures
          .map((m) => `${m} p50 ${figures[m]!.p50} p95 ${figures[m]!.p95} (${figures[m]!.status})`)
          .join('; ')}`,
      );
    }
  } finally {
    await stack.stop();
  }
  return results;
}

/**
 * Waits until the database is quiet after seeding (SQLite's WAL checkpoints, FerretDB trimming
 * the capped collection, PostgreSQL's autovacuum): under 10 % of a core for 3 s, at most 2 min.
 */
async function settle(stack: ProvinceStack): Promise<number> {
  const started = Date.now();
  const busy = () =>
    stack.database
      .pids()
      .flatMap((pid) => [pid, ...childPids(pid)])
      .reduce((sum, pid) => sum + (cpuMs(pid) ?? 0), 0);
  let quiet = 0;
  while (quiet < 3 && Date.now() - started < 120_000) {
    const before = busy();
    await new Promise((r) => setTimeout(r, 1000));
    quiet = busy() - before < 100 ? quiet + 1 : 0;
  }
  return Date.now() - started;
}

/** Sessions opened by the identity subgraph's own service, as a login would. */
async function identities(stack: ProvinceStack, volumes: Volumes) {
  const conn = await connectMongo(stack.database.uri, provinceDatabases.identity);
  try {
    const { sessions } = createIdentityServices(conn, {
      idHashKey: stack.secrets.idHash,
      ttlSeconds: 12 * 3600,
      verifiedWindowSeconds: 1800,
    } as Parameters<typeof createIdentityServices>[1]);
    const m = model(yearEnd);
    const lawyers: { id: string; token: string }[] = [];
    for (let i = 0; lawyers.length < 20 && i < 1000; i++) {
      const index = hash(500, i) % volumes.lawyers;
      if (!m.registered(index)) continue;
      const id = m.lawyerId(index);
      const { token } = await sessions.open({ role: 'LAWYER', subjectId: id, method: 'SCAN' });
      lawyers.push({ id, token });
    }
    const procs = procuratorates();
    const prosecutors: { token: string; procuratorateId: string }[] = [];
    for (let i = 0; prosecutors.length < 10; i++) {
      const p = hash(501, i) % procs.length;
      const { token } = await sessions.open({
        role: 'PROSECUTOR',
        subjectId: m.prosecutorId(p, 0),
        procuratorateId: procs[p]!._id,
        method: 'PROSECUTOR',
      });
      prosecutors.push({ token, procuratorateId: procs[p]!._id });
    }
    return { lawyers, prosecutors };
  } finally {
    await conn.close();
  }
}

async function measureSize(stack: ProvinceStack, volumes: Volumes, given: Set<Measure>) {
  const url = stack.gateway.url;
  const { lawyers, prosecutors } = await identities(stack, volumes);
  const lawyer = (i: number) => lawyers[i % lawyers.length]!;
  const q = (name: string, token: string, variables: Record<string, unknown>, client: string) =>
    runOperation(url, token, op(name).hash, variables, limitMs, client);
  // Warm-up: every operation a few times as different people (plans cached, connections open,
  // code compiled), not counted.
  for (let i = 0; i < 5; i++) {
    for (const name of ['PortalViewer', 'PortalCenter', 'PortalUnread', 'PortalBound'])
      await q(name, lawyer(lawyers.length - 1 - i).token, {}, 'portal');
    await q(
      'ConsoleBindingQueue',
      prosecutors[prosecutors.length - 1 - i]!.token,
      { status: 'SUBMITTED' },
      'console',
    );
  }

  const parts: Record<string, Figure> = {};
  const figures = {} as Record<Measure, Figure>;
  const skip = (m: Measure) =>
    given.has(m) ? notMeasured(`timed out at a smaller size (limit ${limitMs} ms)`) : undefined;

  // 个人中心: what opening the page sends — PortalCenter (the page) beside PortalViewer (the
  // header), then PortalUnread (the unread badge, asked once the viewer is known).
  const pageParts: Record<string, number[]> = {
    PortalCenter: [],
    PortalViewer: [],
    PortalUnread: [],
  };
  figures.personalCentre =
    skip('personalCentre') ??
    (await sampleSeries(samples, limitMs, async (i) => {
      const { token } = lawyer(i);
      const started = performance.now();
      const timed = async (name: string) => {
        const s = await q(name, token, {}, 'portal');
        pageParts[name]!.push(s.timedOut ? limitMs : s.ms);
        return s;
      };
      const results = await Promise.all([
        timed('PortalCenter'),
        timed('PortalViewer').then(async (v) =>
          v.timedOut || v.error ? [v] : [v, await timed('PortalUnread')],
        ),
      ]);
      const all = results.flat();
      const ms = performance.now() - started;
      return {
        ms,
        timedOut: all.some((s) => s.timedOut) || ms >= limitMs,
        error: all.find((s) => s.error)?.error,
      };
    }));
  for (const [name, times] of Object.entries(pageParts))
    parts[name] = await sampleSeries(times.length, limitMs, async (i) => ({
      ms: times[i]!,
      timedOut: times[i]! >= limitMs,
    }));

  // 审核队列: a prosecutor's binding applications waiting for review (the console's queue page).
  figures.reviewQueue =
    skip('reviewQueue') ??
    (await sampleSeries(samples, limitMs, (i) =>
      q(
        'ConsoleBindingQueue',
        prosecutors[i % prosecutors.length]!.token,
        { status: 'SUBMITTED' },
        'console',
      ),
    ));

  // 已绑定案件: the lawyer's bound cases and reading applications (PortalBound).
  figures.boundCases =
    skip('boundCases') ??
    (await sampleSeries(samples, limitMs, (i) => q('PortalBound', lawyer(i).token, {}, 'portal')));

  figures.subscription = skip('subscription') ?? (await measureSubscription(stack, limitMs));

  // Lookups by a natural key and the console's case list (key-paths.ts).
  Object.assign(
    figures,
    await measureKeyPaths({
      uri: stack.database.uri,
      gatewayUrl: url,
      idHashKey: stack.secrets.idHash,
      volumes,
      yearEnd,
      samples,
      limitMs,
      op,
      lawyerToken: (i) => lawyer(i).token,
      prosecutors,
      skip: (m: KeyMeasure) => skip(m),
    }),
  );
  return { figures, parts };
}

/**
 * Publish → client receives: a lawyer subscribed to PortalBindingChanged through the gateway's
 * WebSocket; the benchmark publishes `cases.bindingApplication.changed` for one of the lawyer's
 * applications on the bus (as the cases subgraph does on a decision) and times its arrival with
 * the fields resolved (the application, its case and procuratorate read by the subgraphs).
 */
async function measureSubscription(stack: ProvinceStack, limit: number): Promise<Figure> {
  const m = model(yearEnd);
  const conn = await connectMongo(stack.database.uri, provinceDatabases.identity);
  const client = new MongoClient(stack.database.uri);
  let bus: EventBus | undefined;
  let sub: Awaited<ReturnType<typeof openSubscription>> | undefined;
  try {
    const { sessions } = createIdentityServices(conn, {
      idHashKey: stack.secrets.idHash,
      ttlSeconds: 12 * 3600,
      verifiedWindowSeconds: 1800,
    } as Parameters<typeof createIdentityServices>[1]);
    // An application of a registered lawyer, and its lawyer.
    let k = 0;
    while (!m.registered(m.bindingLawyer(k))) k++;
    const lawyerId = m.lawyerId(m.bindingLawyer(k));
    const { token } = await sessions.open({ role: 'LAWYER', subjectId: lawyerId, method: 'SCAN' });
    sub = await openSubscription({
      wsUrl: stack.gateway.url.replace(/^http/, 'ws'),
      token,
      query: op('PortalBindingChanged').text,
    });
    bus = createEventBus({
      client,
      dbName: provinceDatabases.events,
      logger: createLogger('province', 'silent'),
    });
    const j = m.bindingCase(k);
    const publish = () =>
      bus!.publish('cases.bindingApplication.changed', {
        applicationId: m.bindingId(k),
        lawyerId,
        procuratorateId: m.caseProcuratorate(j)._id,
        caseId: m.caseId(j),
        status: m.bindingStatus(k),
      });
    // The subscription is set up asynchronously: publish until an event arrives.
    const ready = Date.now() + Math.max(limit, 20_000);
    for (;;) {
      const arrived = sub.next(1000);
      await publish();
      if ((await arrived) !== null) break;
      if (Date.now() > ready)
        return notMeasured(
          `no event reached the subscriber within ${Math.max(limit, 20_000)} ms (${sub.errors[0] ?? 'no error'})`,
        );
    }
    await new Promise((r) => setTimeout(r, 1000)); // late copies of the warm-up events
    return await sampleSeries(samples, limit, async () => {
      await new Promise((r) => setTimeout(r, 200));
      const before = performance.now();
      const arrived = sub!.next(limit);
      await publish();
      const at = await arrived;
      return at === null ? { ms: limit, timedOut: true } : { ms: at - before, timedOut: false };
    });
  } finally {
    await sub?.close();
    await bus?.close();
    await client.close();
    await conn.close();
  }
}

async function main() {
  const deadline = Date.now() + budgetMs;
  const byBackend: Record<string, SizeResult[]> = {};
  for (const backend of chosen) {
    // Each backend gets an equal share of what is left of the budget.
    const share = (deadline - Date.now()) / (chosen.length - chosen.indexOf(backend));
    byBackend[backend] = await measureBackend(backend, Date.now() + share);
  }
  const path = writeResult({
    benchmark: 'province',
    variant: chosen.join('+'),
    startedAt,
    provisional: !final,
    machineAtStart,
    configuration: {
      command: `npx tsx infra/bench/src/province/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
      sizes,
      backends: chosen,
      samplesPerMeasure: samples,
      limitMs,
      budgetMinutes: budgetMs / 60_000,
      fullYear: volumesAt(100),
      yearEnd: yearEnd.toISOString(),
    },
    figures: byBackend,
    notes: [
      "Latencies in ms, one request at a time (no queueing), through our gateway (production mode, the clients' persisted operations by hash) and the four subgraphs as processes.",
      'personalCentre: opening 个人中心 = PortalCenter beside PortalViewer, then PortalUnread; reviewQueue: ConsoleBindingQueue(SUBMITTED) as a prosecutor; boundCases: PortalBound; subscription: publish on the bus → PortalBindingChanged received over the gateway WebSocket.',
      'consoleCases: ConsoleCases (案件与卷宗, 100 cases) as a prosecutor; findCase: PortalFindCase by (procuratorate, 部门受案号) as a lawyer; importCase / intakeCase / activationStart: the cases and identity services in the benchmark process on the same database (re-import of an existing case, a procuratorate system pushing an existing case under a new request id, 开始激活 with a licence number), without the gateway (see key-paths.ts).',
      'A time-out counts as the limit in the percentiles; three in a row end the measure at that size and larger ones.',
    ],
  });
  log(`wrote ${path}`);
  log(`wrote ${writeSummary()}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
