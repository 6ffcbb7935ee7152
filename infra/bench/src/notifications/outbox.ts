// Outbox benchmark: N queued SMS, a provider (local fake of Alibaba Cloud, signature checked)
// answering in D ms, sent by 1 and by 3 sender processes. Reports messages per second, and the
// duplicates and losses seen by the provider (both must be 0). Run with tsx:
//   flock /tmp/yuejuan-bench.lock npx tsx infra/bench/src/notifications/outbox.ts [--messages 10000] [--senders 1,3] [--delay 50] [--concurrency 16] [--deadline-seconds 3600]
// Uses MONGODB_URI when set, else starts the embedded FerretDB in a temporary folder. Writes
// infra/bench/results/outbox.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectMongo, ensureIndexes, newId, createLogger } from '@yuejuan/runtime';
import { startDatabase } from '@yuejuan/database';
import { notificationsModels } from '../../../../subgraphs/notifications/src/models/index.ts';
import { createOutbox } from '../../../../subgraphs/notifications/src/services/outbox.service.ts';
import { startFakeAliyun } from '@yuejuan/testing/simulators';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    senders: { type: 'string', default: '1,3' },
    delay: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '16' },
    'deadline-seconds': { type: 'string', default: '3600' },
    out: { type: 'string', default: join(here, '..', '..', 'results', 'outbox.json') },
  },
});
const total = Number(args.messages);
const delayMs = Number(args.delay);
const concurrency = Number(args.concurrency);
const keys = { accessKeyId: 'LTAI-bench', accessKeySecret: 'bench-secret-0123456789' };
const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const dataDir = process.env.MONGODB_URI
  ? undefined
  : await mkdtemp(join(tmpdir(), 'yuejuan-bench-'));
const db = await startDatabase({ dataDir });

function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'sender-worker.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sender exited early (${code})`)));
    child.stdout!.once('data', () => resolve(child));
  });
}

async function run(senders: number) {
  const dbName = `bench_outbox_${senders}_${newId().slice(-6)}`;
  const connection = await connectMongo(db.uri, dbName);
  const models = notificationsModels(connection);
  await ensureIndexes(connection);
  const outbox = createOutbox(models, createLogger('bench', 'warn'), () => undefined);
  const fake = await startFakeAliyun(keys, { delayMs });
  try {
    say(`${senders} sender(s): queueing ${total} messages…`);
    const q0 = Date.now();
    const queuedAt = new Map<string, number>();
    for (let i = 0; i < total; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, total - i) }, async (_, j) => {
          const { messageId } = await outbox.enqueue({
            dedupeKey: `bench:${i + j}`,
            kind: 'LOGIN_CODE',
            phone: `139${String(i + j).padStart(8, '0')}`,
            values: { code: '123456', expiresInMinutes: '5' },
            source: 'INTERNAL',
          });
          queuedAt.set(messageId, Date.now());
        }),
      );
      if (i % 1000 === 0 && i) say(`  ${i} queued`);
    }
    const queueSeconds = (Date.now() - q0) / 1000;
    say(`queued in ${queueSeconds.toFixed(1)} s; starting ${senders} sender process(es)`);
    const env = {
      MONGODB_URI: db.uri,
      BENCH_DB: dbName,
      BENCH_PROVIDER_URL: fake.url,
      BENCH_KEY_ID: keys.accessKeyId,
      BENCH_KEY_SECRET: keys.accessKeySecret,
      BENCH_CONCURRENCY: String(concurrency),
    };
    const loadBefore = loadavg();
    const workers = await Promise.all(Array.from({ length: senders }, () => startWorker(env)));
    const startedAt = Date.now(); // all senders ready (each starts sending as soon as it is)
    const deadline = Date.now() + Number(args['deadline-seconds']) * 1000;
    const progress = setInterval(
      () =>
        say(`  ${fake.byOutId.size} sent after ${((Date.now() - startedAt) / 1000).toFixed(0)} s`),
      30_000,
    );
    // Done when the queue is empty (a cheap probe; counting 10,000 messages is not, on FerretDB).
    while (Date.now() < deadline && (await models.SmsQueue.findOne({}).select('_id').lean().exec()))
      await new Promise((r) => setTimeout(r, 250));
    const settledAt = Date.now();
    clearInterval(progress);
    const loadAfter = loadavg();
    const settled = await models.SmsMessage.countDocuments({
      status: { $in: ['SENT', 'FAILED'] },
    }).exec();
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((r) => {
            w.removeAllListeners('exit');
            w.once('exit', r);
            w.kill('SIGTERM');
          }),
      ),
    );
    const calls = fake.attempts.map((a) => a.at);
    const first = Math.min(...calls);
    const last = Math.max(...calls);
    const duplicates = [...fake.byOutId.values()].reduce((n, c) => n + c - 1, 0);
    const sentStatus = await models.SmsMessage.countDocuments({ status: 'SENT' }).exec();
    // Queue-to-provider latency: from the message's intake to the provider's answer to its first
    // accepted call. With the whole backlog queued before the senders start, it is mostly the
    // wait in the queue; the spread between senders' start and the last call is the drain time.
    const firstCall = new Map<string, number>();
    for (const a of fake.attempts)
      if (a.code === 'OK' && !firstCall.has(a.outId)) firstCall.set(a.outId, a.at);
    const latencies = [...firstCall]
      .map(([id, at]) => at - (queuedAt.get(id) ?? at))
      .sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies.length
        ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!
        : null;
    const unknownIds = [...fake.byOutId.keys()].filter((id) => !queuedAt.has(id)).length;
    const result = {
      senders,
      concurrencyPerSender: concurrency,
      messages: total,
      seconds: Number(((last - first) / 1000).toFixed(2)),
      messagesPerSecond: Number((fake.byOutId.size / ((last - first) / 1000)).toFixed(1)),
      secondsUntilAllSettled: Number(((settledAt - first) / 1000).toFixed(2)),
      providerCalls: fake.attempts.length,
      duplicates,
      losses: [...queuedAt.keys()].filter((id) => !fake.byOutId.has(id)).length,
      unknownIdsAtProvider: unknownIds,
      drainSecondsFromSenderStart: Number(((settledAt - startedAt) / 1000).toFixed(2)),
      settledPerSecondFromSenderStart: Number(
        (settled / ((settledAt - startedAt) / 1000)).toFixed(1),
      ),
      queueToProviderMs: { p50: pct(50), p99: pct(99), max: latencies.at(-1) ?? null },
      loadAverage: {
        before: loadBefore.map((l) => Number(l.toFixed(2))),
        after: loadAfter.map((l) => Number(l.toFixed(2))),
      },
      markedSent: sentStatus,
      notSettled: total - settled,
      queueSeconds: Number(queueSeconds.toFixed(2)),
      queuedPerSecond: Number((total / queueSeconds).toFixed(1)),
    };
    say(JSON.stringify(result));
    return result;
  } finally {
    await fake.close();
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

const benchStart = Date.now();
try {
  const runs = [];
  for (const n of args.senders.split(',').map(Number)) runs.push(await run(n));
  const report = {
    benchmark: 'notifications outbox: queued SMS → provider call',
    at: new Date().toISOString(),
    node: process.version,
    database: db.embedded ? 'FerretDB v1.24.2 (SQLite backend, embedded)' : 'MONGODB_URI',
    provider: `local fake of Alibaba Cloud SendSms (signature verified), ${delayMs} ms per answer`,
    configuration: {
      messages: total,
      providerDelayMs: delayMs,
      concurrencyPerSender: concurrency,
      leaseMs: 30_000,
      providerTimeoutMs: 10_000,
      pollMs: 50,
      deadlineSeconds: Number(args['deadline-seconds']),
    },
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    },
    command: `flock /tmp/yuejuan-bench.lock npx tsx infra/bench/src/notifications/outbox.ts --messages ${total} --senders ${args.senders} --delay ${delayMs} --concurrency ${concurrency}`,
    totalSeconds: Number(((Date.now() - benchStart) / 1000).toFixed(1)),
    runs,
    ok: runs.every(
      (r) =>
        r.duplicates === 0 && r.losses === 0 && r.unknownIdsAtProvider === 0 && r.notSettled === 0,
    ),
  };
  await mkdir(dirname(args.out), { recursive: true });
  await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
  say(`wrote ${args.out}`);
  if (!report.ok) process.exitCode = 1;
} finally {
  await db.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
