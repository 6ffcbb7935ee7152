// npm run start:cluster: the production topology (see cluster.ts) in a fresh folder
// .data/cluster, printed URLs, Ctrl-C stops it all.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@yuejuan/database';
import { startCluster } from './cluster.ts';

const say = (line: string) => console.log(`[yuejuan] ${line}`);
const began = Date.now();
const base = Number(process.env.YUEJUAN_PORT_BASE ?? 4000);
const clientBase = Number(process.env.YUEJUAN_CLIENT_PORT_BASE ?? 3000);
const backend = process.env.YUEJUAN_DB_BACKEND === 'sqlite' ? 'sqlite' : 'postgresql';
const dataDir = join(repoRoot(), '.data', 'cluster');
// Each start is a fresh deployment: new secrets, new demo data (the hashed ID numbers depend on them).
rmSync(dataDir, { recursive: true, force: true });

const cluster = await startCluster({ dataDir, base, clientBase, backend, log: say }).catch(
  (err: Error) => {
    console.error(`[yuejuan] ${err.message}`);
    process.exit(1);
  },
);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  say('正在停止集群…');
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

const u = cluster.urls;
const byKind = (kind: string) =>
  cluster.instances
    .filter((i) => i.kind === kind)
    .map((i) => i.port)
    .join(', ');
console.log(`
阅卷 Yuejuan 集群已启动（${((Date.now() - began) / 1000).toFixed(1)} 秒，NODE_ENV=production，仅持久化操作）
  负载均衡 HAProxy (infra/cluster/haproxy.cfg)
    律师门户 portal           ${u.portal}     实例 ${byKind('portal')}
    核验 verifier             ${u.verifier}     实例 ${byKind('verifier')}
    检察人员 console          ${u.console}     实例 ${byKind('console')}
    GraphQL 网关              ${u.graphql}   实例 ${byKind('gateway')}
${['identity', 'cases', 'reading', 'notifications'].map((n) => `    子图 ${n.padEnd(22)}实例 ${byKind(n)}`).join('\n')}
  指标 (Prometheus)           各实例端口 +100，例如 http://127.0.0.1:${cluster.instances[0]!.port + 100}/metrics
  数据库                      FerretDB (${cluster.backend === 'postgresql' ? 'PostgreSQL' : 'SQLite'})，数据目录 .data/cluster
  短信（模拟阿里云短信）      ${u.smsInbox}   验证码与密码在此查看（?phone=手机号）
  人脸核验                    模拟的核验服务（签名请求，任何照片通过）
  日志                        .data/cluster/logs/
实例意外退出时自动重新启动。按 Ctrl-C 停止。`);
