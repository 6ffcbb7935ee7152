// One sender process of the outbox benchmark: connects to the benchmark's database, sends
// through the Alibaba Cloud adapter to the local fake until told to stop (SIGTERM), then
// prints how many messages it settled.
import { connectMongo, createLogger } from '@yuejuan/runtime';
import { notificationsModels } from '../../../../subgraphs/notifications/src/models/index.ts';
import { createAliyunProvider } from '../../../../subgraphs/notifications/src/providers/aliyun.ts';
import { createSender } from '../../../../subgraphs/notifications/src/workers/sender.ts';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const connection = await connectMongo(env('MONGODB_URI'), env('BENCH_DB'));
const models = notificationsModels(connection);
const provider = createAliyunProvider({
  endpoint: env('BENCH_PROVIDER_URL'),
  accessKeyId: env('BENCH_KEY_ID'),
  accessKeySecret: env('BENCH_KEY_SECRET'),
  signName: '12309中国检察网',
  templateIds: { LOGIN_CODE: 'SMS_100008' },
});
const sender = createSender({
  models,
  provider,
  contacts: null,
  logger: createLogger('bench-sender', 'warn'),
  signName: '12309中国检察网',
  leaseMs: 30_000,
  providerTimeoutMs: 10_000,
  maxAttempts: 6,
  backoffBaseMs: 1000,
  backoffCapMs: 30_000,
  pollMs: 50,
  concurrency: Number(env('BENCH_CONCURRENCY')),
});
sender.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void (async () => {
    await sender.stop();
    await connection.close();
    process.exit(0);
  })();
});
