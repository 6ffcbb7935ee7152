// Benchmark: what an integrator's OAuth access token costs the gateway (issue 16, "token
// verification adds under 0.3 ms of gateway CPU per request"), and what a shared rate-limit store
// would cost (ADR 0012).
//
// (1) Load: our gateway as its own process (NODE_ENV=production, persisted operations), the four
//     subgraphs as processes, the same operation (`case(id)` of a case the seeded lawyer is bound
//     to, in the procuratorate of a registered procuratorate system) sent by hash under the same
//     autocannon load, alternately with the lawyer's session token and with the system's
//     client-credentials access token (a fresh one each turn), at the same fixed arrival rate
//     (autocannon overallRate, below both modes' peak: the same load, so CPU per request is
//     comparable); the gateway's CPU per request is read from /proc. The token path includes everything an application pays at the gateway:
//     RS256 verification, the grant/application check at identity (one round trip, as a session's
//     resolve), its rate limit, its allowlist and its log line.
// (2) In-process: verifyAccessToken alone, and the application gate's per-request work (a point
//     of the limit, the allowlist lookup), in µs per call.
// (3) The alternative to per-instance limits: rate-limiter-flexible's RateLimiterMongo on the same
//     FerretDB (one findOneAndUpdate per request): latency per consume, and how many of 60
//     concurrent consumes pass a limit of 20 (exactly 20 is correct).
//   npx tsx infra/bench/src/bench/oauth-tokens.ts [--seconds=15] [--rounds=5] [--rate=50] [--connections=8] [--final]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { RateLimiterMongo } from 'rate-limiter-flexible';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { repoRoot } from '@yuejuan/database';
import { connectMongo } from '@yuejuan/runtime';
import { createIdentityServices } from '@yuejuan/identity/services';
import { verifyAccessToken } from '@yuejuan/gateway/oauth';
import { createAppLimits } from '@yuejuan/gateway/app-limits';
import { resolvePersisted } from '@yuejuan/gateway/persisted';
import { parseArgs } from '../lib/args.ts';
import { describeMachine } from '../lib/machine.ts';
import { writeResult } from '../lib/results.ts';
import { median, percentile, round } from '../lib/stats.ts';
import { startBenchStack } from '../stack/setup.ts';
import { databaseNames } from '../stack/setup.ts';
import { startGateway } from '../gateways/targets.ts';
import { documentHash } from '../operations.ts';
import autocannon from 'autocannon';
import { ProcessWatch } from '../lib/procstat.ts';
import { checkTarget } from './turn.ts';
import { writeSummary } from '../summary.ts';

const args = parseArgs();
const seconds = args.number('seconds', 15);
const rounds = args.number('rounds', 5);
const rate = args.number('rate', 50);
const warmup = args.number('warmup', 5);
const connections = args.number('connections', 8);
const final = args.flag('final');
args.done();

const root = repoRoot();
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine(root);
const log = (line: string) => console.log(`[oauth-tokens] ${line}`);

const document =
  'query BenchCase($id: ID!) {\n  case(id: $id) {\n    id\n    caseName\n    stage\n  }\n}';
const hash = documentHash(document);

const stack = await startBenchStack({
  backend: 'sqlite',
  run: 'oauth-tokens',
  sizes: { cases: 6, approved: 6, notifications: 2, unread: 1 },
});
let gatewayStop: (() => Promise<void>) | undefined;
try {
  // The case, its procuratorate, and a procuratorate system of it with the operation registered.
  const casesDb = await connectMongo(stack.database.uri, databaseNames.cases);
  const binding = (await casesDb
    .collection('binding_applications')
    .findOne({ lawyerId: stack.seeded.lawyerId, status: 'APPROVED' }))!;
  await casesDb.close();
  const caseId = String(binding.caseId);
  const identityDb = await connectMongo(stack.database.uri, databaseNames.identity);
  const identity = createIdentityServices(identityDb, {
    idHashKey: stack.secrets.idHash,
    ttlSeconds: 3600,
    verifiedWindowSeconds: 1800,
  });
  const admin = { role: 'ADMINISTRATOR' as const, sessionId: 'bench', administratorId: 'bench' };
  const client = { ip: '127.0.0.1', userAgent: 'bench' };
  const { application, clientSecret } = await identity.applications.register(
    admin,
    {
      name: '压测检察业务应用系统',
      organisation: '压测',
      kind: 'PROCURATORATE_SYSTEM',
      procuratorateId: String(binding.procuratorateId),
      scopes: ['cases:read'],
      rateLimitPerMinute: 100_000,
      contactName: '压测',
      contactPhone: '021-12345678',
    },
    client,
  );
  await identity.applicationOperations.register(
    admin,
    application._id,
    JSON.stringify({ [hash]: document }),
    client,
  );
  await identityDb.close();

  const manifestPath = join(stack.logDir, 'oauth-manifest.json');
  writeFileSync(manifestPath, JSON.stringify({ [hash]: document }));
  const gateway = await startGateway('ours', {
    root,
    logDir: stack.logDir,
    supergraphPath: stack.supergraphPath,
    urls: stack.subgraphs.urls,
    secret: stack.secrets.internal,
    // info: an application's request writes its attribution line, as in production.
    logLevel: 'info',
    manifestPath,
  });
  gatewayStop = () => gateway.process.stop();
  const body = JSON.stringify({ documentId: `sha256:${hash}`, variables: { id: caseId } });

  const identityOrigin = new URL(stack.subgraphs.urls.identity).origin;
  async function accessToken(): Promise<string> {
    const res = await fetch(`${identityOrigin}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${application._id}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'cases:read' }),
    });
    const json = (await res.json()) as { access_token?: string };
    if (!json.access_token) throw new Error(`token: ${res.status} ${JSON.stringify(json)}`);
    return json.access_token;
  }

  const modes = {
    session: async () => stack.seeded.token,
    oauth: accessToken,
  };
  const reference = await checkTarget({
    url: gateway.url,
    body,
    token: stack.seeded.token,
    subgraphs: stack.subgraphs,
  });
  if (reference.problems.length) throw new Error(`session: ${reference.problems.join('; ')}`);
  const appCheck = await checkTarget({
    url: gateway.url,
    body,
    token: await accessToken(),
    subgraphs: stack.subgraphs,
    reference: reference.data,
  });
  if (appCheck.problems.length) throw new Error(`oauth: ${appCheck.problems.join('; ')}`);
  log(
    `same answer for both; subgraph requests per request: session ${reference.subgraphRequestsPerRequest}, oauth ${appCheck.subgraphRequestsPerRequest}`,
  );

  interface TurnResult {
    requests: number;
    requestsPerSecond: number;
    p50: number;
    p99: number;
    errors: number;
    gatewayCpuMsPerRequest: number;
    subgraphCpuMsPerRequest: number;
  }
  const turns: { mode: keyof typeof modes; round: number; result: TurnResult }[] = [];
  const subgraphPids = Object.values(stack.subgraphs.processes).map((p) => p.pid);
  /** One turn at the fixed rate: autocannon, and the processes' CPU from /proc. */
  const turn = async (mode: keyof typeof modes, secs: number): Promise<TurnResult> => {
    const token = await modes[mode]();
    const watch = new ProcessWatch([gateway.process.pid, ...subgraphPids]);
    const r = await autocannon({
      url: gateway.url,
      method: 'POST',
      connections,
      overallRate: rate,
      duration: secs,
      timeout: 10,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
      expectBody: reference.body,
    });
    const usage = watch.stop();
    const n = Math.max(1, r.requests.total);
    return {
      requests: r.requests.total,
      requestsPerSecond: round(r.requests.total / r.duration, 1),
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors + r.timeouts + r.non2xx + r.mismatches,
      gatewayCpuMsPerRequest: round((usage.get(gateway.process.pid)?.cpuMs ?? NaN) / n, 3),
      subgraphCpuMsPerRequest: round(
        subgraphPids.reduce((a, pid) => a + (usage.get(pid)?.cpuMs ?? 0), 0) / n,
        3,
      ),
    };
  };
  for (const mode of ['session', 'oauth'] as const) await turn(mode, warmup);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['session', 'oauth'] as const) : (['oauth', 'session'] as const);
    for (const mode of order) {
      const result = await turn(mode, seconds);
      turns.push({ mode, round: r, result });
      log(
        `round ${r + 1} ${mode}: ${result.requestsPerSecond} req/s, gateway ${result.gatewayCpuMsPerRequest} ms CPU/req, p50 ${result.p50} ms, errors ${result.errors}`,
      );
    }
  }
  const summary = (mode: keyof typeof modes) => {
    const rs = turns.filter((t) => t.mode === mode).map((t) => t.result);
    return {
      requestsPerSecond: round(median(rs.map((r) => r.requestsPerSecond)), 1),
      gatewayCpuMsPerRequest: round(median(rs.map((r) => r.gatewayCpuMsPerRequest)), 3),
      subgraphCpuMsPerRequest: round(median(rs.map((r) => r.subgraphCpuMsPerRequest)), 3),
      p50: round(median(rs.map((r) => r.p50))),
      p99: round(median(rs.map((r) => r.p99))),
      errors: rs.reduce((a, r) => a + r.errors, 0),
    };
  };
  const load = { session: summary('session'), oauth: summary('oauth') };
  // Per round (each round has one turn of each), so drift between rounds cancels.
  const deltas = Array.from({ length: rounds }, (_, r) => {
    const of = (m: string) =>
      turns.find((t) => t.round === r && t.mode === m)!.result.gatewayCpuMsPerRequest;
    return round(of('oauth') - of('session'), 3);
  });

  // (2) In process: the verification and the gate's own work, per call.
  const token = await accessToken();
  const jwks = (await (await fetch(`${identityOrigin}/oauth/jwks`)).json()) as {
    keys: (Record<string, unknown> & { kid: string })[];
  };
  const discovery = (await (
    await fetch(`${identityOrigin}/oauth/.well-known/openid-configuration`)
  ).json()) as { issuer: string };
  const keys = new Map<string, KeyObject>(
    jwks.keys.map((k) => [k.kid, createPublicKey({ key: k as never, format: 'jwk' })]),
  );
  const perCallMicros = async (f: () => unknown | Promise<unknown>, n: number) => {
    for (let i = 0; i < 500; i++) await f();
    const cpu = process.cpuUsage();
    for (let i = 0; i < n; i++) await f();
    const used = process.cpuUsage(cpu);
    return round((used.user + used.system) / n, 2);
  };
  const verifyMicros = await perCallMicros(
    () => verifyAccessToken(token, { issuer: discovery.issuer, keyFor: (k) => keys.get(k) }),
    5000,
  );
  const limits = createAppLimits({ replicas: 2, windowMs: 60_000 });
  const policy = {
    clientId: application._id,
    rateLimitPerMinute: 1e9,
    operationsOnly: true,
    operationsRevision: 'r',
  };
  const set = new Map([[hash, document]]);
  const gateMicros = await perCallMicros(async () => {
    await limits.take(policy, 'http');
    resolvePersisted(
      { documentId: `sha256:${hash}`, variables: { id: caseId } },
      { manifest: set, freeText: false, maxTokens: 3000 },
    );
  }, 20_000);

  // (3) A shared store instead: RateLimiterMongo on the same FerretDB.
  const mongo = await MongoClient.connect(stack.database.uri);
  // The library creates a TTL index first, which FerretDB 1.24 refuses, and then never creates
  // its unique index on `key`: both collections get that unique index here instead.
  for (const name of ['rlflx', 'strict'])
    await mongo.db('bench_rate_limits').collection(name).createIndex({ key: 1 }, { unique: true });
  const shared = new RateLimiterMongo({
    storeClient: mongo,
    dbName: 'bench_rate_limits',
    disableIndexesCreation: true,
    points: 1_000_000,
    duration: 60,
  });
  const sharedLatencies: number[] = [];
  for (let i = 0; i < 20; i++) await shared.consume('warm').catch(() => undefined);
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await shared.consume(`app-${i % 5}`);
    sharedLatencies.push(performance.now() - t);
  }
  const strict = new RateLimiterMongo({
    storeClient: mongo,
    dbName: 'bench_rate_limits',
    tableName: 'strict',
    disableIndexesCreation: true,
    points: 20,
    duration: 60,
  });
  await strict.consume('probe', 0).catch(() => undefined);
  const concurrent = await Promise.allSettled(
    Array.from({ length: 60 }, () => strict.consume('burst')),
  );
  const passed = concurrent.filter((r) => r.status === 'fulfilled').length;
  await mongo.close();

  const figures = {
    load,
    gatewayCpuDeltaMsPerRound: deltas,
    gatewayCpuDeltaMs: round(median(deltas), 3),
    target: 'token verification adds < 0.3 ms of gateway CPU per request',
    inProcess: {
      verifyAccessTokenMicros: verifyMicros,
      appGateMicros: gateMicros,
    },
    sharedStoreAlternative: {
      store: 'rate-limiter-flexible RateLimiterMongo on the bench FerretDB (SQLite)',
      consumeP50Ms: round(percentile(sharedLatencies, 50), 2),
      consumeP99Ms: round(percentile(sharedLatencies, 99), 2),
      concurrentConsumes: 60,
      limit: 20,
      passed,
    },
    subgraphRequestsPerRequest: {
      session: reference.subgraphRequestsPerRequest,
      oauth: appCheck.subgraphRequestsPerRequest,
    },
  };
  const path = writeResult({
    benchmark: 'oauth-tokens',
    variant: 'sqlite',
    startedAt,
    provisional: !final,
    machineAtStart,
    configuration: {
      operation: 'case(id) { id caseName stage }, by hash (persisted), the same case',
      session: 'the seeded lawyer’s session (bound to the case)',
      oauth:
        'a procuratorate system’s client-credentials access token (RS256 JWT), operation registered, limit 100000/min',
      seconds,
      rounds,
      warmup,
      connections,
      ratePerSecond: rate,
      gateway: 'our gateway, one process, NODE_ENV=production, LOG_LEVEL=info',
      database: stack.database.description,
    },
    figures,
    notes: [
      'gatewayCpuMsPerRequest: the gateway process’s user+system CPU (/proc) per completed request, median over rounds.',
      'The OAuth path’s difference covers the RS256 verification, the token check at identity (instead of the session resolve), the rate limit, the allowlist and the attribution log line.',
      'sharedStoreAlternative.passed: how many of 60 concurrent consumes a shared store let through a limit of 20 (20 is exact).',
    ],
  });
  writeSummary();
  console.log(JSON.stringify(figures, null, 2));
  console.log(`written ${path}`);
} finally {
  await gatewayStop?.().catch(() => undefined);
  await stack.stop();
}
