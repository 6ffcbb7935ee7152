// npm start: database (embedded FerretDB unless MONGODB_URI is set), demo data on first start,
// the four subgraphs and the gateway as separate processes; prints the URLs, stops everything
// cleanly on Ctrl-C, and stops everything if one service dies.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startDatabase, repoRoot } from '@yuejuan/database';
import { subgraphNames } from '@yuejuan/schema';
import { seedDemo, seedDemoSlots } from '../index.ts';
import { ensureSystemPackages, ocrPackages, qpdf } from './system-packages.ts';
import { loadDevSecrets } from './secrets.ts';
import { apps, buildClients } from './build-clients.ts';
import { startProcess, subgraphNodeFlags, tail, type RunningProcess } from './processes.ts';

const began = Date.now();
const root = repoRoot();
const dataDir = join(root, '.data');
const logDir = join(dataDir, 'logs');
const base = Number(process.env.YUEJUAN_PORT_BASE ?? 4000);
if (!Number.isInteger(base) || base < 1024 || base > 65000) {
  console.error(
    `YUEJUAN_PORT_BASE 无效：${process.env.YUEJUAN_PORT_BASE}（应为 1024–65000 的整数）`,
  );
  process.exit(1);
}
const clientBase = Number(process.env.YUEJUAN_CLIENT_PORT_BASE ?? 3000);
const say = (line: string) => console.log(`[yuejuan] ${line}`);

// The reading subgraph stamps and encrypts case files with Debian's qpdf, renders 在线阅卷's pages
// with poppler and reads scanned pages for search with Tesseract: install them when missing.
await ensureSystemPackages([qpdf, ...ocrPackages], say).catch((err: Error) => {
  console.error(`[yuejuan] ${err.message}`);
  process.exit(1);
});

say('构建客户端 (portal, verifier, console)…');
if (!buildClients(root)) {
  console.error('[yuejuan] 客户端构建失败。');
  process.exit(1);
}

say(
  process.env.MONGODB_URI ? '使用 MONGODB_URI 指定的数据库…' : '启动内置数据库 FerretDB (SQLite)…',
);
const db = await startDatabase({ dataDir: join(dataDir, 'ferretdb'), log: (l) => say(l) }).catch(
  (err: Error) => {
    console.error(`[yuejuan] ${err.message}`);
    process.exit(1);
  },
);
const secrets = loadDevSecrets(join(dataDir, 'dev-secrets.json'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? 'development',
  MONGODB_URI: db.uri,
  YUEJUAN_INTERNAL_SECRET: secrets.internal,
  YUEJUAN_ID_HASH_KEY: secrets.idHash,
  APOLLO_TELEMETRY_DISABLED: 'true',
  // OAuth for integrators: the issuer is the gateway's /oauth, consent is the portal's page.
  OAUTH_ISSUER: `http://127.0.0.1:${base}/oauth`,
  OAUTH_CONSENT_URL: `http://127.0.0.1:${clientBase}/oauth/consent`,
  // Subgraphs call each other's internal routes (sessions, contacts, SMS, binding checks).
  ...Object.fromEntries(
    subgraphNames.map((name, i) => [
      `${name.toUpperCase()}_INTERNAL_URL`,
      `http://127.0.0.1:${base + 1 + i}`,
    ]),
  ),
};

const running: RunningProcess[] = [];
let stopping = false;
async function stopAll(code: number): Promise<never> {
  stopping = true;
  for (const p of [...running].reverse()) await p.stop();
  await db.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  const seeded = await seedDemo({
    mongoUri: db.uri,
    identityDb: env.IDENTITY_DB ?? 'yuejuan_identity',
    casesDb: env.CASES_DB ?? 'yuejuan_cases',
    idHashKey: secrets.idHash,
    log: say,
  });
  const c = seeded.counts;
  say(
    `演示数据${seeded.seeded ? '已写入' : '已存在'}：检察院 ${c.procuratorates}，案件 ${c.cases}，律师 ${c.lawyers}，检察人员 ${c.prosecutors}，管理员 ${c.administrators}`,
  );
  say(
    `演示接待时段：新增 ${await seedDemoSlots({ mongoUri: db.uri, readingDb: env.READING_DB ?? 'yuejuan_reading' })} 个（今后十个工作日，上午、下午各一个）`,
  );
  const urls: Record<string, string> = {};
  await Promise.all(
    subgraphNames.map(async (name, i) => {
      const port = base + 1 + i;
      urls[name] = `http://127.0.0.1:${port}/graphql`;
      running.push(
        await startProcess(root, logDir, {
          name,
          entry: `subgraphs/${name}/src/index.ts`,
          healthUrl: `http://127.0.0.1:${port}/ready`,
          env: { ...env, PORT: String(port), METRICS_PORT: String(port + 100) },
          nodeFlags: subgraphNodeFlags,
        }),
      );
    }),
  );
  // The clients' servers pass the browser's address on in X-Forwarded-For (the verifier shows
  // it) with a secret of this run: browsers on this machine share their loopback address.
  const proxySecret = randomBytes(32).toString('hex');
  const gatewayEnv = {
    ...env,
    PORT: String(base),
    // Prometheus scrapes each service on its own loopback port (+100), never the public one.
    METRICS_PORT: String(base + 100),
    YUEJUAN_TRUSTED_PROXIES: '127.0.0.1,::1',
    YUEJUAN_PROXY_SECRET: proxySecret,
    IDENTITY_URL: urls.identity,
    CASES_URL: urls.cases,
    READING_URL: urls.reading,
    NOTIFICATIONS_URL: urls.notifications,
  };
  running.push(
    await startProcess(root, logDir, {
      name: 'gateway',
      entry: 'gateway/src/index.ts',
      healthUrl: `http://127.0.0.1:${base}/ready`,
      env: gatewayEnv,
    }),
  );
  // The clients serve their production builds and talk to the gateway from their server side.
  await Promise.all(
    apps.map(async (app, i) => {
      const port = clientBase + i;
      running.push(
        await startProcess(root, logDir, {
          name: app,
          entry: `clients/${app}/build/index.js`,
          healthUrl: `http://127.0.0.1:${port}/`,
          env: {
            ...env,
            PORT: String(port),
            HOST: '127.0.0.1',
            ORIGIN: `http://127.0.0.1:${port}`,
            GATEWAY_URL: `http://127.0.0.1:${base}`,
            BODY_SIZE_LIMIT: 'Infinity',
            YUEJUAN_PROXY_SECRET: proxySecret,
            PUBLIC_VERIFIER_URL: `http://127.0.0.1:${clientBase + 1}`,
            PUBLIC_DEV_SMS_INBOX: 'true',
          },
        }),
      );
    }),
  );
  for (const p of running) {
    p.child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(
        `[yuejuan] ${p.spec.name} 意外退出 (${code ?? signal})，正在停止全部服务。日志 ${p.logFile}:\n${tail(p.logFile)}`,
      );
      void stopAll(1);
    });
  }
  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  console.log(`
阅卷 Yuejuan 已启动（${seconds} 秒）
  律师门户 portal             http://127.0.0.1:${clientBase}
  核验 verifier               http://127.0.0.1:${clientBase + 1}
  检察人员 console            http://127.0.0.1:${clientBase + 2}
  GraphQL 网关 / 接口浏览器   http://127.0.0.1:${base}/graphql   (ws://127.0.0.1:${base}/graphql)
  健康检查                    http://127.0.0.1:${base}/ready
${subgraphNames.map((n) => `  子图 ${n.padEnd(14)}        ${urls[n]}`).join('\n')}
  指标 (Prometheus)           http://127.0.0.1:${base + 100}/metrics … :${base + 100 + subgraphNames.length}/metrics（网关、各子图）
  数据库                      ${db.embedded ? `${db.uri} (FerretDB, 数据目录 .data/ferretdb)` : 'MONGODB_URI'}
  日志                        .data/logs/
按 Ctrl-C 停止。`);
} catch (err) {
  console.error(`[yuejuan] ${(err as Error).message}`);
  await stopAll(1);
}
