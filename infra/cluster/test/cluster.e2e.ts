// The production topology under change: while the lawyer's journey (activation to download,
// in Chromium: clients/e2e's journey, run against this cluster) and a steady load of the
// clients' persisted operations go through HAProxy, every instance is restarted one by one
// (SIGTERM: /ready answers 503, HAProxy takes it out, it drains and stops, and starts again);
// then one instance of each kind is killed with SIGKILL and its supervisor starts it again.
// No request fails during the rolling restart, the journey completes, and no SMS is lost or
// sent twice.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@yuejuan/database';
import { demoDir } from '@yuejuan/ops';
import { artifactsDir, launchChromium, screenshots } from '@yuejuan/e2e/browser';
import { startCluster, type Cluster, type Instance } from '../src/cluster.ts';

const root = repoRoot();
let cluster: Cluster;
let dataDir: string;
const say = (line: string) => console.log(`[cluster] ${line}`);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'yuejuan-cluster-'));
  cluster = await startCluster({
    dataDir,
    base: 5000,
    clientBase: 5200,
    backend: process.env.YUEJUAN_CLUSTER_BACKEND === 'sqlite' ? 'sqlite' : 'postgresql',
    log: say,
  });
});

let passed = false;
afterAll(async () => {
  await cluster?.stop();
  // A failed run keeps its logs (every instance's, HAProxy's) to read.
  if (passed) await rm(dataDir, { recursive: true, force: true });
  else console.log(`[cluster] logs kept in ${dataDir}/logs`);
});

/** Failures counted by reason, for the report. */
const byReason = (failures: { reason: string }[]) =>
  Object.entries(
    failures.reduce<Record<string, number>>(
      (n, f) => ((n[f.reason] = (n[f.reason] ?? 0) + 1), n),
      {},
    ),
  );

const persistedId = (name: string) => {
  const hash = Object.keys(manifest).find((h) => manifest[h]!.startsWith(`mutation ${name}(`));
  if (!hash) throw new Error(`${name} is not in the persisted-operation manifest`);
  return `sha256:${hash}`;
};

/** Two public operations of the portal, by their persisted ids (the manifest's keys): through the gateways to two subgraphs. */
const manifest = JSON.parse(
  readFileSync(join(root, 'clients', 'operations', 'persisted-operations.json'), 'utf8'),
) as Record<string, string>;
const loadOperations = ['PortalProcuratorates', 'PortalTerms'].map((name) => {
  const hash = Object.keys(manifest).find((h) => manifest[h]!.startsWith(`query ${name} `));
  if (!hash) throw new Error(`${name} is not in the persisted-operation manifest`);
  return `sha256:${hash}`;
});

/** Back-to-back requests from `workers` loops until stopped; every failure is kept with its time. */
function startLoad(url: string, workers = 4) {
  const ids = loadOperations;
  const failures: { at: number; reason: string }[] = [];
  let ok = 0;
  let running = true;
  const loop = async (w: number) => {
    for (let i = w; running; i++) {
      const documentId = ids[i % ids.length]!;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'apollographql-client-name': 'load' },
          body: JSON.stringify({ documentId }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
        if (res.status !== 200 || body.errors || !body.data)
          failures.push({
            at: Date.now(),
            reason: `${res.status} ${JSON.stringify(body).slice(0, 200)}`,
          });
        else ok++;
      } catch (err) {
        const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
        failures.push({
          at: Date.now(),
          reason: `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`,
        });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  return {
    failures,
    get ok() {
      return ok;
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

/** clients/e2e's journey, steps 1–6 (activation to download), against the cluster, in a child vitest. */
function runJourney(): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    YUEJUAN_E2E_STACK: JSON.stringify({
      urls: {
        gateway: cluster.urls.gateway,
        graphql: cluster.urls.graphql,
        portal: cluster.urls.portal,
        verifier: cluster.urls.verifier,
        console: cluster.urls.console,
      },
      smsInbox: cluster.urls.smsInbox,
      logDir: cluster.logDir,
    }),
  };
  delete env.YUEJUAN_TEST_RESULTS; // its results are this test's, not a second e2e report
  const steps =
    'journey (activates the verifier|logs in by scanning|applies to bind|applies for online reading|uploads volumes|downloads through receipt)';
  const child = spawn(
    join(root, 'node_modules', '.bin', 'vitest'),
    ['run', 'test/journey.e2e.ts', '--testNamePattern', steps],
    { cwd: join(root, 'clients', 'e2e'), env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code: code ?? 1, output })));
}

const order = (instances: Instance[]) => [
  ...instances.filter((i) => !['gateway', 'portal', 'verifier', 'console'].includes(i.kind)),
  ...instances.filter((i) => i.kind === 'gateway'),
  ...instances.filter((i) => ['portal', 'verifier', 'console'].includes(i.kind)),
];

describe('the production cluster (HAProxy, 2 instances of each service)', () => {
  it('restarts every instance one by one during the journey and a steady load without a failed request; survives SIGKILL; no SMS lost or sent twice', async () => {
    const load = startLoad(cluster.urls.graphql);
    let journeyDone = false;
    const journey = runJourney().finally(() => (journeyDone = true));

    // Rolling restarts, round after round, while the journey runs (at least one whole round).
    const restarts: { name: string; from: number; to: number }[] = [];
    let rounds = 0;
    while (rounds === 0 || !journeyDone) {
      for (const instance of order(cluster.instances)) {
        const from = Date.now();
        await cluster.restart(instance, 'SIGTERM');
        restarts.push({ name: instance.name, from, to: Date.now() });
      }
      rounds++;
    }
    const { code, output } = await journey;
    const rollingFailures = [...load.failures];
    say(
      `rolling restart: ${rounds} round(s), ${restarts.length} restarts, ${load.ok} requests answered, ${rollingFailures.length} failed`,
    );
    if (rollingFailures.length)
      console.log(
        byReason(rollingFailures),
        rollingFailures.map((f) => restarts.find((r) => r.from <= f.at && f.at <= r.to)?.name),
      );
    if (code !== 0) console.log(output.slice(-6000));
    expect(code).toBe(0);
    expect(output).toMatch(/6 passed/);
    expect(rollingFailures).toEqual([]);
    expect(restarts.length).toBeGreaterThanOrEqual(cluster.instances.length);

    // The operator's SMS inbox as a person reads it: the lawyer's package password is there
    // (and the page passes axe-core's audit, as every page of the apps does).
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ locale: 'zh-CN' });
      await page.goto(`${cluster.urls.smsInbox}?phone=13912345678`);
      await page.getByRole('heading', { name: '短信收件箱（模拟阿里云短信）' }).waitFor();
      expect(await page.getByRole('row').filter({ hasText: '卷宗下载密码' }).count()).toBe(1);
      await screenshots(artifactsDir('cluster'))(page, '短信收件箱');
    } finally {
      await browser.close();
    }

    // SIGKILL, mid-flight: one instance of each kind; its supervisor starts it again. The
    // notifications instance dies while the console's login codes for five prosecutors are
    // being requested and sent (identity → notifications' outbox → the SMS provider).
    const prosecutors = (
      JSON.parse(readFileSync(join(demoDir, 'prosecutors.json'), 'utf8')) as {
        username: string;
        phone: string;
        initialPassword: string;
      }[]
    )
      .filter((p) => p.username !== 'sh.wang')
      .slice(0, 5);
    const codeRequests = prosecutors.map((p) =>
      fetch(cluster.urls.graphql, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          documentId: persistedId('ConsoleProsecutorCode'),
          variables: { u: p.username, p: p.initialPassword },
        }),
      })
        .then((r) => r.json() as Promise<{ data?: { sent?: unknown } }>)
        .then((b) => Boolean(b.data?.sent))
        .catch(() => false),
    );
    const kinds = [...new Set(cluster.instances.map((i) => i.kind))].sort(
      (a, b) => Number(b === 'notifications') - Number(a === 'notifications'),
    );
    for (const kind of kinds) {
      const victim = cluster.instances.find((i) => i.kind === kind)!;
      const starts = victim.starts;
      if (kind === 'notifications') await new Promise((r) => setTimeout(r, 30));
      cluster.kill(victim);
      const deadline = Date.now() + 60_000;
      while (victim.starts === starts && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(victim.starts, `${victim.name} started again`).toBe(starts + 1);
      await cluster.waitUp([victim]);
    }
    const afterKills = load.failures.length;
    say(
      `SIGKILL of ${kinds.length} instances: ${afterKills - rollingFailures.length} requests failed`,
    );
    // Recovered: a few more seconds of load, all answered.
    await new Promise((r) => setTimeout(r, 3000));
    await load.stop();
    expect(load.failures.slice(afterKills)).toEqual([]);
    expect(Object.values(await cluster.states()).every((s) => s === 'UP')).toBe(true);

    // The codes asked for while notifications1 died: each answered request's code arrived, once.
    const answered = await Promise.all(codeRequests);
    say(
      `login codes requested during the SIGKILL: ${answered.filter(Boolean).length} of ${answered.length} answered`,
    );
    const deadlineCodes = Date.now() + 60_000;
    const codesOf = (phone: string) =>
      cluster.simulators.inbox(phone).filter((m) => m.kind === 'PROSECUTOR_LOGIN_CODE').length;
    while (
      prosecutors.some((p, i) => answered[i] && codesOf(p.phone) === 0) &&
      Date.now() < deadlineCodes
    )
      await new Promise((r) => setTimeout(r, 300));
    for (const [i, p] of prosecutors.entries()) {
      if (answered[i]) expect(codesOf(p.phone), p.username).toBe(1);
      else expect(codesOf(p.phone), p.username).toBeLessThanOrEqual(1);
    }
    expect(answered.filter(Boolean).length).toBeGreaterThan(0);

    // SMS: every message settled, each sent to the provider exactly once.
    const client = await MongoClient.connect(cluster.databaseUri);
    try {
      const db = client.db('yuejuan_notifications');
      const deadline = Date.now() + 60_000;
      while ((await db.collection('sms_queue').countDocuments()) > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 500));
      expect(await db.collection('sms_queue').countDocuments()).toBe(0);
      const settled = await db
        .collection<{ _id: string; status: string; dedupeKey: string }>('sms_messages')
        .find()
        .toArray();
      const sends = cluster.simulators.sendsByOutId;
      expect(settled.length).toBeGreaterThan(5);
      expect(settled.filter((m) => m.status === 'FAILED')).toEqual([]);
      expect(new Set(settled.map((m) => m.dedupeKey)).size).toBe(settled.length);
      expect([...sends.values()].filter((n) => n !== 1)).toEqual([]);
      expect(sends.size).toBe(settled.length);
    } finally {
      await client.close();
    }
    passed = true;
  });
});
