// Subscription benchmark (issue 3): a bare graphql-ws server (the limit) against our gateway in
// front of the owning subgraph, with 1,000 and 5,000 concurrent subscribers. Writes
// infra/bench/results/subscriptions.json. Usage: npx tsx infra/bench/src/subscriptions/run.ts [--sizes 1000,5000] [--events 20]
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { freePort, startDatabase, repoRoot } from '@yuejuan/database';
import { connectMongo, createEventBus, createLogger, ensureIndexes } from '@yuejuan/runtime';
import { createIdentityServices } from '@yuejuan/identity/services';
import { createCasesServices } from '@yuejuan/cases/services';
import { startProcess, type RunningProcess } from '@yuejuan/ops';
import { openFleet, percentile, rssBytes } from './clients.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const sizes = arg('sizes', '1000,5000').split(',').map(Number);
const eventCount = Number(arg('events', '20'));
const spacingMs = Number(arg('spacing', '250'));
const root = repoRoot();
/** Resident memory of `pid` after a full collection in that process (see gc-on-signal.mjs). */
async function settledRss(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  await sleep(300);
  process.kill(pid, 'SIGUSR2'); // twice: the first may leave work for finalisers
  await sleep(700);
  return rssBytes(pid);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logger = createLogger('bench', 'warn');

const scratch = await mkdtemp(join(tmpdir(), 'yuejuan-bench-subs-'));
const db = await startDatabase({ dataDir: join(scratch, 'db'), env: {} });
const secrets = { internal: 'b'.repeat(48), idHash: 'h'.repeat(48) };
// The measured servers collect garbage on SIGUSR2 (bench-only preload), so memory is compared without garbage.
const gcPreload = join(root, 'infra/bench/src/subscriptions/gc-on-signal.mjs');
const env = {
  ...process.env,
  NODE_OPTIONS: `--expose-gc --import=${gcPreload}`,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  MONGODB_URI: db.uri,
  YUEJUAN_INTERNAL_SECRET: secrets.internal,
  YUEJUAN_ID_HASH_KEY: secrets.idHash,
  APOLLO_TELEMETRY_DISABLED: 'true',
  YUEJUAN_PERSISTED_ONLY: 'false',
};
const running: RunningProcess[] = [];
const results: Record<string, unknown>[] = [];

try {
  // Data: one procuratorate, one case, one lawyer, an administrator session, and one binding
  // application per event (so each delivery names its event).
  const idConn = await connectMongo(db.uri, 'yuejuan_identity');
  const csConn = await connectMongo(db.uri, 'yuejuan_cases');
  const identity = createIdentityServices(idConn, {
    idHashKey: secrets.idHash,
    ttlSeconds: 86_400,
    verifiedWindowSeconds: 0,
  } as never);
  const cases = createCasesServices(csConn);
  await ensureIndexes(idConn);
  await ensureIndexes(csConn);
  await identity.registry.importAdministrator({ name: '压测管理员', username: 'bench' });
  const admin = (await identity.models.Administrator.findOne({ username: 'bench' }).lean().exec())!;
  const { token } = await identity.sessions.open({
    role: 'ADMINISTRATOR',
    subjectId: admin._id,
    method: 'PASSWORD',
  });
  await cases.cases.importProcuratorate({
    id: 'SH-310000',
    name: '上海市人民检察院',
    province: '上海市',
    onlineReadingEnabled: true,
  });
  await cases.cases.importCase('SH-310000', {
    departmentCaseNumber: '沪检刑诉〔2025〕1号',
    caseName: '压测案件',
    suspects: ['某甲'],
    stage: 'PROSECUTION_REVIEW',
  });
  const theCase = (await cases.models.Case.findOne({}).lean().exec())!;
  const ids = ['warm', ...Array.from({ length: eventCount }, (_, i) => `e${i + 1}`)];
  await cases.models.BindingApplication.insertMany(
    ids.map((_id) => ({
      _id,
      lawyerId: 'lawyer-bench',
      caseId: theCase._id,
      procuratorateId: 'SH-310000',
      lawyerRole: 'DEFENCE_COUNSEL',
      suspectName: '某甲',
      clientName: '某甲',
      clientRelation: 'SELF',
    })),
  );
  const bus = createEventBus({ client: csConn.getClient(), dbName: 'yuejuan_events', logger });

  const ports = {
    identity: await freePort(),
    cases: await freePort(),
    gateway: await freePort(),
    bare: await freePort(),
  };
  const logDir = join(scratch, 'logs');
  running.push(
    await startProcess(root, logDir, {
      name: 'identity',
      entry: 'subgraphs/identity/src/index.ts',
      healthUrl: `http://127.0.0.1:${ports.identity}/health`,
      env: { ...env, NODE_ENV: 'development', PORT: String(ports.identity) },
    }),
  );
  running.push(
    await startProcess(root, logDir, {
      name: 'cases',
      entry: 'subgraphs/cases/src/index.ts',
      healthUrl: `http://127.0.0.1:${ports.cases}/health`,
      env: { ...env, PORT: String(ports.cases) },
    }),
  );
  const gateway = await startProcess(root, logDir, {
    name: 'gateway',
    entry: 'gateway/src/index.ts',
    healthUrl: `http://127.0.0.1:${ports.gateway}/health`,
    env: {
      ...env,
      PORT: String(ports.gateway),
      IDENTITY_URL: `http://127.0.0.1:${ports.identity}/graphql`,
      CASES_URL: `http://127.0.0.1:${ports.cases}/graphql`,
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '20',
    },
  });
  running.push(gateway);
  const bare = await startProcess(root, logDir, {
    name: 'bare',
    entry: 'infra/bench/src/subscriptions/bare-server.ts',
    healthUrl: `http://127.0.0.1:${ports.bare}/`,
    env: { ...env, PORT: String(ports.bare) },
  });
  running.push(bare);

  const publishOurs = async (id: string) => {
    await cases.models.BindingApplication.updateOne(
      { _id: id },
      { $set: { status: 'APPROVED', decidedAt: new Date() } },
    ).exec();
    await bus.publish('cases.bindingApplication.changed', {
      applicationId: id,
      lawyerId: 'lawyer-bench',
      procuratorateId: 'SH-310000',
      caseId: theCase._id,
      status: 'APPROVED',
    });
    return Date.now(); // the change is committed and its event written
  };
  const publishBare = async (id: string) => {
    const res = await fetch(`http://127.0.0.1:${ports.bare}/publish`, {
      method: 'POST',
      body: JSON.stringify({ id, status: 'APPROVED' }),
    });
    return ((await res.json()) as { sentAt: number }).sentAt;
  };
  const scenarios = [
    {
      name: 'bare graphql-ws (limit)',
      url: `ws://127.0.0.1:${ports.bare}/graphql`,
      pid: bare.child.pid!,
      publish: publishBare,
      authorization: undefined,
    },
    {
      name: 'yuejuan gateway → cases subgraph',
      url: `ws://127.0.0.1:${ports.gateway}/graphql`,
      pid: gateway.child.pid!,
      publish: publishOurs,
      authorization: `Bearer ${token}`,
    },
  ];
  const query = 'subscription { bindingApplicationChanged { id status } }';

  for (const n of sizes) {
    for (const s of scenarios) {
      const before = await settledRss(s.pid);
      const fleet = await openFleet({
        url: s.url,
        n,
        query,
        authorization: s.authorization,
        idOf: (d) => d.bindingApplicationChanged.id,
        warm: async () => void (await s.publish('warm')),
      });
      const subscribed = await settledRss(s.pid);
      const sent = new Map<string, number>();
      const started = Date.now();
      for (const id of ids.slice(1)) {
        sent.set(id, await s.publish(id));
        await sleep(spacingMs);
      }
      const deadline = Date.now() + 30_000;
      while (
        Date.now() < deadline &&
        [...sent.keys()].some((id) => (fleet.received.get(id)?.length ?? 0) < n)
      )
        await sleep(50);
      const latencies: number[] = [];
      let last = 0;
      for (const [id, t0] of sent)
        for (const t1 of fleet.received.get(id) ?? []) {
          latencies.push(t1 - t0);
          last = Math.max(last, t1);
        }
      latencies.sort((a, b) => a - b);
      const expected = n * sent.size;
      await fleet.close();
      await sleep(1000);
      const leftovers = s.authorization
        ? {
            gateway: (
              (await (await fetch(`http://127.0.0.1:${ports.gateway}/health`)).json()) as {
                subscriptions: unknown;
              }
            ).subscriptions,
            cases: (
              (await (await fetch(`http://127.0.0.1:${ports.cases}/health`)).json()) as {
                events: unknown;
              }
            ).events,
          }
        : { bare: await (await fetch(`http://127.0.0.1:${ports.bare}/`)).json() };
      const row = {
        scenario: s.name,
        subscribers: n,
        events: sent.size,
        deliveries: latencies.length,
        lost: expected - latencies.length,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: latencies.at(-1),
        deliveriesPerSecond: Math.round(latencies.length / ((last - started) / 1000)),
        rssBeforeMiB: +(before / 2 ** 20).toFixed(1),
        rssSubscribedMiB: +(subscribed / 2 ** 20).toFixed(1),
        bytesPerSubscriber: Math.round((subscribed - before) / n),
        leftAfter1s: leftovers,
      };
      console.log(JSON.stringify(row));
      results.push(row);
    }
  }
  const ratio = (n: number) => {
    const [b, g] = [
      results.find((r) => r.subscribers === n && String(r.scenario).startsWith('bare')),
      results.find((r) => r.subscribers === n && !String(r.scenario).startsWith('bare')),
    ];
    return b && g
      ? +((g.bytesPerSubscriber as number) / (b.bytesPerSubscriber as number)).toFixed(2)
      : null;
  };
  const machine = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    commit: execSync('git rev-parse --short HEAD', { cwd: root }).toString().trim(),
    database: 'FerretDB 1.24.2 (SQLite)',
  };
  const out = {
    benchmark: 'subscriptions',
    at: new Date().toISOString(),
    machine,
    config: { sizes, eventCount, spacingMs, query, nodeEnv: 'production' },
    results,
    memoryRatioGatewayToBare: Object.fromEntries(sizes.map((n) => [n, ratio(n)])),
    targets: { p99MsAt1000: 100, p99MsAt5000: 400, memoryRatioMax: 1.5 },
  };
  await mkdir(join(root, 'infra/bench/results'), { recursive: true });
  await writeFile(
    join(root, 'infra/bench/results/subscriptions.json'),
    `${JSON.stringify(out, null, 2)}\n`,
  );
  console.log(
    `wrote infra/bench/results/subscriptions.json; memory ratio gateway/bare: ${JSON.stringify(out.memoryRatioGatewayToBare)}`,
  );
  await bus.close();
  await idConn.close();
  await csConn.close();
} finally {
  for (const p of running.reverse()) await p.stop();
  await db.stop();
  await rm(scratch, { recursive: true, force: true });
}
