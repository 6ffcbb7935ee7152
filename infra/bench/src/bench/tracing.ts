// Benchmark: what tracing costs (issue 17). The gateway and the four subgraphs run in one child
// process per mode, so process.cpuUsage() is their whole CPU (the database's is not in it);
// each mode serves the same personal-centre query sequentially:
//   off          no OTEL_* endpoint: nothing loaded, nothing recorded (the default)
//   sampled-out  tracing on with parentbased_traceidratio and ratio 0: spans made, none kept
//   on           tracing on, every trace kept and exported over OTLP/HTTP to a local receiver
// Modes alternate over rounds (off, sampled-out, on, off, …) so drift hits all of them alike.
// Also: the cost of the off path's own checks per call (log-line mixin, request wrapper).
//   npx tsx infra/bench/src/bench/tracing.ts [--requests=300] [--rounds=2] [--final]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '@yuejuan/database';
import { createGateway } from '@yuejuan/gateway';
import { loadGatewayConfig } from '@yuejuan/gateway/config';
import {
  createLogger,
  loadConfig,
  startTracing,
  traceIds,
  traceRequests,
  tracingConfigShape,
} from '@yuejuan/runtime';
import { parseArgs } from '../lib/args.ts';
import { describeMachine } from '../lib/machine.ts';
import { writeResult } from '../lib/results.ts';
import { percentile, round } from '../lib/stats.ts';
import { startBenchDatabase } from '../stack/database.ts';
import { startInProcessSubgraphs } from '../stack/in-process.ts';
import { seedBench } from '../stack/seed.ts';
import { databaseNames } from '../stack/setup.ts';
import { requestBody } from '../operations.ts';
import { post } from './turn.ts';

const modes = ['off', 'sampled-out', 'on'] as const;
type Mode = (typeof modes)[number];

interface ChildResult {
  mode: Mode;
  requests: number;
  cpuMsPerRequest: number;
  p50Ms: number;
  p95Ms: number;
}

const args = parseArgs();
const child = args.string<Mode | ''>('child', '', ['', ...modes]);
const requests = args.number('requests', 300);

if (child) {
  // One mode: everything in this process, measured after a warm-up.
  const uri = args.string('uri', '');
  const receiver = args.string('receiver', '');
  const lawyerId = args.string('lawyer', '');
  const token = args.string('token', '');
  const secrets = { internal: args.string('secret', ''), idHash: args.string('id-hash', '') };
  args.done();
  const tracing =
    child === 'off'
      ? null
      : startTracing(
          loadConfig(tracingConfigShape, {
            OTEL_EXPORTER_OTLP_ENDPOINT: receiver,
            OTEL_SERVICE_NAME: `bench-${child}`,
            ...(child === 'sampled-out'
              ? { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }
              : {}),
          }),
          'bench',
        );
  const subgraphs = await startInProcessSubgraphs({ mongoUri: uri, db: databaseNames, secrets });
  const gateway = createGateway(
    loadGatewayConfig({
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      PORT: '0',
      YUEJUAN_INTERNAL_SECRET: secrets.internal,
      IDENTITY_URL: subgraphs.urls.identity,
      CASES_URL: subgraphs.urls.cases,
      READING_URL: subgraphs.urls.reading,
      NOTIFICATIONS_URL: subgraphs.urls.notifications,
    }),
    createLogger('gateway', 'silent'),
  );
  const url = await gateway.start();
  const body = requestBody('personal-centre', lawyerId);
  for (let i = 0; i < 50; i++) {
    const r = await post(url, body, token);
    if (r.status !== 200 || r.text.includes('"errors"')) throw new Error(`warm-up: ${r.text}`);
  }
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    await post(url, body, token);
    latencies.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  await tracing?.flush();
  const result: ChildResult = {
    mode: child,
    requests,
    cpuMsPerRequest: round((used.user + used.system) / 1000 / requests, 3),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
  };
  await gateway.stop();
  await subgraphs.stop();
  await tracing?.shutdown();
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

const rounds = args.number('rounds', 2);
const final = args.flag('final');
args.done();
const root = repoRoot();
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine(root);

/** The off path's own checks, per call, in this (untraced) process. */
function offPathNanos() {
  const sink = { write: () => undefined };
  const plain = createLogger('bench', 'info', sink);
  const n = 200_000;
  const time = (f: () => void) => {
    for (let i = 0; i < 10_000; i++) f();
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    return Number(process.hrtime.bigint() - t) / n;
  };
  const listener = () => undefined;
  const wrapped = traceRequests(listener, { continueTrace: true });
  const req = { url: '/graphql' } as http.IncomingMessage;
  const res = {} as http.ServerResponse;
  return {
    logMixinNs: round(
      time(() => traceIds()),
      1,
    ),
    logLineNs: round(
      time(() => plain.info({ a: 1 }, 'line')),
      1,
    ),
    requestWrapperNs: round(time(() => wrapped(req, res)) - time(() => listener()), 1),
  };
}

// Spans reach this receiver and are counted by service (one per mode).
const spans = new Map<string, number>();
const receiver = http.createServer((req, res) => {
  let text = '';
  req.on('data', (c: Buffer) => (text += c.toString()));
  req.on('end', () => {
    const body = JSON.parse(text) as {
      resourceSpans: {
        resource: { attributes: { key: string; value: { stringValue?: string } }[] };
        scopeSpans: { spans: unknown[] }[];
      }[];
    };
    for (const rs of body.resourceSpans) {
      const service =
        rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
      const n = rs.scopeSpans.reduce((k, s) => k + s.spans.length, 0);
      spans.set(service, (spans.get(service) ?? 0) + n);
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const database = await startBenchDatabase('sqlite');
const results: ChildResult[] = [];
try {
  const secrets = {
    internal: randomBytes(32).toString('hex'),
    idHash: randomBytes(32).toString('hex'),
  };
  const seeded = await seedBench(database.uri, databaseNames, secrets.idHash, {
    cases: 20,
    approved: 20,
    notifications: 6,
    unread: 2,
  });
  const self = fileURLToPath(import.meta.url);
  for (let r = 0; r < rounds; r++)
    for (const mode of modes) {
      const out = await new Promise<string>((resolve, reject) => {
        const p = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            self,
            `--child=${mode}`,
            `--requests=${requests}`,
            `--uri=${database.uri}`,
            `--receiver=${receiverUrl}`,
            `--lawyer=${seeded.lawyerId}`,
            `--token=${seeded.token}`,
            `--secret=${secrets.internal}`,
            `--id-hash=${secrets.idHash}`,
          ],
          {
            env: { PATH: process.env.PATH, APOLLO_TELEMETRY_DISABLED: 'true' },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let text = '';
        p.stdout.on('data', (d: Buffer) => (text += d.toString()));
        p.on('exit', (code) =>
          code === 0 ? resolve(text) : reject(new Error(`${mode}: exit ${code}`)),
        );
      });
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) throw new Error(`${mode}: no result`);
      const result = JSON.parse(line.slice(7)) as ChildResult;
      results.push(result);
      console.log(JSON.stringify(result));
    }
} finally {
  await database.stop();
  receiver.close();
}

const byMode = Object.fromEntries(
  modes.map((m) => {
    const rs = results.filter((r) => r.mode === m);
    const mean = (k: keyof ChildResult) =>
      round(rs.reduce((a, r) => a + Number(r[k]), 0) / rs.length, 3);
    return [
      m,
      { cpuMsPerRequest: mean('cpuMsPerRequest'), p50Ms: mean('p50Ms'), p95Ms: mean('p95Ms') },
    ];
  }),
);
const figures = {
  byMode,
  runs: results,
  spansPerRequestOn: round((spans.get('bench-on') ?? 0) / ((requests + 50) * rounds), 1),
  spansExportedSampledOut: spans.get('bench-sampled-out') ?? 0,
  offPath: offPathNanos(),
};
const path = writeResult({
  benchmark: 'tracing',
  variant: 'sqlite',
  startedAt,
  provisional: !final,
  machineAtStart,
  configuration: {
    operation: 'personal-centre (20 applications), sequential, one client',
    requests,
    rounds,
    process: 'gateway and four subgraphs in one Node process per mode; CPU is that process only',
    database: database.description,
  },
  figures,
  notes: [
    'cpuMsPerRequest: user+system CPU of the gateway and subgraphs per request (the database is another process).',
    'offPath: nanoseconds per call of what tracing adds when off (measured in an untraced process).',
  ],
});
console.log(JSON.stringify(figures, null, 2));
console.log(`written ${path}`);
