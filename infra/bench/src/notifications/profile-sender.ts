// Profile of one in-process sender: N queued messages, a 50 ms fake provider, and the time spent
// in each database call and provider call (wrapped). Not a benchmark figure, a where-does-the-
// time-go tool: npx tsx infra/bench/src/notifications/profile-sender.ts [messages=500] [concurrency=8]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectMongo, ensureIndexes, createLogger } from '@yuejuan/runtime';
import { startDatabase } from '@yuejuan/database';
import { notificationsModels } from '../../../../subgraphs/notifications/src/models/index.ts';
import { createOutbox } from '../../../../subgraphs/notifications/src/services/outbox.service.ts';
import { createAliyunProvider } from '../../../../subgraphs/notifications/src/providers/aliyun.ts';
import { createSender } from '../../../../subgraphs/notifications/src/workers/sender.ts';
import { startFakeAliyun } from '@yuejuan/testing/simulators';

const total = Number(process.argv[2] ?? 500);
const dataDir = await mkdtemp(join(tmpdir(), 'yuejuan-prof-'));
const db = await startDatabase({ dataDir });
const connection = await connectMongo(db.uri, 'prof');
const models = notificationsModels(connection);
await ensureIndexes(connection);
const stats = new Map<string, { n: number; ms: number }>();
const wrap = (label: string, obj: Record<string, unknown>, name: string) => {
  const orig = obj[name] as (...a: unknown[]) => unknown;
  obj[name] = function (this: unknown, ...a: unknown[]) {
    const q = orig.apply(this, a) as { exec?: () => Promise<unknown> } & Promise<unknown>;
    const t0 = performance.now();
    const done = () => {
      const s = stats.get(label) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += performance.now() - t0;
      stats.set(label, s);
    };
    if (q && typeof q.exec === 'function') {
      const e = q.exec.bind(q);
      (q as { exec: () => Promise<unknown> }).exec = () => e().finally(done);
      return q;
    }
    return Promise.resolve(q).finally(done);
  };
};
const keys = { accessKeyId: 'LTAI-bench', accessKeySecret: 'bench-secret-0123456789' };
const fake = await startFakeAliyun(keys, { delayMs: 50 });
const outbox = createOutbox(models, createLogger('p', 'warn'), () => undefined);
for (let i = 0; i < total; i += 50)
  await Promise.all(
    Array.from({ length: Math.min(50, total - i) }, (_, j) =>
      outbox.enqueue({
        dedupeKey: `b:${i + j}`,
        kind: 'LOGIN_CODE',
        phone: `139${String(i + j).padStart(8, '0')}`,
        values: { code: '123456', expiresInMinutes: '5' },
        source: 'INTERNAL',
      }),
    ),
  );
wrap('queue.find', models.SmsQueue as never, 'find');
wrap('queue.deleteOne', models.SmsQueue as never, 'deleteOne');
wrap('queue.deleteMany', models.SmsQueue as never, 'deleteMany');
wrap('message.updateOne', models.SmsMessage as never, 'updateOne');
const leases = connection.db!.collection('sms_leases');
wrap('lease.insertMany', leases as never, 'insertMany');
const provider = createAliyunProvider({
  endpoint: fake.url,
  ...keys,
  signName: '12309中国检察网',
  templateIds: { LOGIN_CODE: 'SMS_100008' },
});
wrap('provider.send', provider as never, 'send');
const sender = createSender({
  models,
  provider,
  contacts: null,
  logger: createLogger('s', 'warn'),
  signName: '12309中国检察网',
  leaseMs: 30_000,
  providerTimeoutMs: 10_000,
  maxAttempts: 6,
  backoffBaseMs: 1000,
  backoffCapMs: 30_000,
  pollMs: 50,
  concurrency: Number(process.argv[3] ?? 8),
});
const t0 = performance.now();
let n = 0;
while (n < total) n += await sender.tick();
await sender.stop();
const s = (performance.now() - t0) / 1000;
console.log(
  `${total} in ${s.toFixed(1)} s = ${(total / s).toFixed(1)} msg/s; dups ${[...fake.byOutId.values()].filter((c) => c > 1).length}`,
);
for (const [k, v] of stats)
  console.log(
    `${k}: n=${v.n} avg ${(v.ms / v.n).toFixed(1)} ms total ${(v.ms / 1000).toFixed(1)} s`,
  );
await fake.close();
await connection.close();
await db.stop();
await rm(dataDir, { recursive: true, force: true });
