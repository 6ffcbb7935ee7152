// Benchmark: webhook deliveries (issue 16 part 4: "1,000 webhook deliveries to a local receiver:
// 0 lost, 0 duplicated, throughput reported").
//
// The notifications subgraph runs as its own process (its entry point, workers on) on the
// embedded FerretDB; identity's webhook routes are a local stand-in that allows every check; the
// receiver is a node:http server on loopback that verifies every request with standardwebhooks'
// `Webhook.verify`, answers 200 after --delay ms, and counts requests by webhook-id. N domain
// events are published on the bus as cases publishes them, for one endpoint subscribed to them.
// Lost = events without a verified delivery; duplicated = requests for a webhook-id already
// accepted. Throughput = deliveries per second from the first publish to the last delivery;
// latency = publish → receipt.
//
// Two runs: `steady`, and `sender-killed` (SIGKILL of the subgraph process after 40 % of the
// deliveries, a new one started at once). In the second, a request the receiver answered whose
// outcome the killed sender had not yet written is sent again with the same webhook-id after its
// lease (the documented at-least-once window): such repeats are reported apart, and receivers
// de-duplicate them by webhook-id; nothing may be lost.
//   npx tsx infra/bench/src/bench/webhooks.ts [--deliveries=1000] [--delay=5] [--concurrency=16] [--runs=steady,sender-killed] [--final]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { freePort, repoRoot, startDatabase } from '@yuejuan/database';
import {
  connectMongo,
  createEventBus,
  createLogger,
  internalTokenHeader,
  mintInternalToken,
  verifyInternalToken,
} from '@yuejuan/runtime';
import { parseArgs } from '../lib/args.ts';
import { describeMachine } from '../lib/machine.ts';
import { writeResult } from '../lib/results.ts';
import { percentile, round } from '../lib/stats.ts';
import { writeSummary } from '../summary.ts';

const args = parseArgs();
const total = args.number('deliveries', 1000);
const delayMs = args.number('delay', 5);
const concurrency = args.number('concurrency', 16);
const runs = args.list('runs', ['steady', 'sender-killed']);
const final = args.flag('final');
args.done();

const root = repoRoot();
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine(root);
const say = (line: string) => console.log(`[webhooks] ${line}`);
const secret = randomBytes(32).toString('hex');
const leaseMs = 10_000;

const dataDir = process.env.MONGODB_URI ? undefined : await mkdtemp(join(tmpdir(), 'yj-wh-'));
const db = await startDatabase({ dataDir });

/** identity's webhook routes, allowing every check (the bench measures delivery, not policy). */
function startIdentity(appId: string) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      void (async () => {
        try {
          await verifyInternalToken(secret, 'identity', req.headers[internalTokenHeader] as string);
        } catch {
          res.writeHead(401).end();
          return;
        }
        const parsed = JSON.parse(body || '{}') as { checks?: unknown[] };
        const answer =
          req.url === '/internal/webhooks/applications'
            ? {
                applications: [
                  {
                    id: appId,
                    name: '基准测试系统',
                    kind: 'PROCURATORATE_SYSTEM',
                    scopes: ['cases:read'],
                    procuratorateId: 'SH-310000',
                    status: 'ACTIVE',
                  },
                ],
              }
            : { allowed: (parsed.checks ?? []).map(() => true) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      })();
    });
  });
  return new Promise<http.Server>((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

interface Receipt {
  id: string;
  eventId: string;
  at: number;
}

function startReceiver() {
  const state = { secret: '', receipts: [] as Receipt[], badSignatures: 0, warmUps: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let payload: { data: { eventId: string; applicationId: string } };
      try {
        payload = new Webhook(state.secret).verify(body, {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        }) as typeof payload;
      } catch {
        state.badSignatures++;
        res.writeHead(401).end();
        return;
      }
      setTimeout(() => {
        if (payload.data.applicationId === 'ba-warm-up') state.warmUps++;
        else
          state.receipts.push({
            id: String(req.headers['webhook-id']),
            eventId: payload.data.eventId,
            at: Date.now(),
          });
        res.writeHead(200).end('ok');
      }, delayMs);
    });
  });
  return new Promise<{ server: http.Server; state: typeof state; url: string }>((r) =>
    server.listen(0, '127.0.0.1', () =>
      r({ server, state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` }),
    ),
  );
}

async function run(kind: string) {
  const tag = randomBytes(3).toString('hex');
  const dbName = `bench_wh_${tag}`;
  const eventsDb = `bench_wh_${tag}_ev`;
  const appId = `yj_bench_${tag}`;
  const identity = await startIdentity(appId);
  const receiver = await startReceiver();
  const connection = await connectMongo(db.uri, eventsDb);
  const bus = createEventBus({
    client: connection.getClient(),
    dbName: eventsDb,
    logger: createLogger('bench-bus', 'warn'),
  });
  const children: ChildProcess[] = [];
  const startSubgraph = async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'subgraphs/notifications/src/index.ts')],
      {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'development',
          LOG_LEVEL: 'error',
          MONGODB_URI: db.uri,
          NOTIFICATIONS_DB: dbName,
          EVENTS_DB: eventsDb,
          YUEJUAN_INTERNAL_SECRET: secret,
          PORT: String(port),
          IDENTITY_INTERNAL_URL: `http://127.0.0.1:${(identity.address() as AddressInfo).port}`,
          WEBHOOK_ALLOW_PRIVATE: 'true',
          WEBHOOK_CONCURRENCY: String(concurrency),
          WEBHOOK_LEASE_MS: String(leaseMs),
          WEBHOOK_TIMEOUT_MS: '5000',
          WEBHOOK_POLL_MS: '500',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    children.push(child);
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, url: `http://127.0.0.1:${port}/graphql` };
  };
  try {
    const first = await startSubgraph();
    // The endpoint, added by an administrator through the subgraph's GraphQL (a gateway token).
    const token = await mintInternalToken(secret, 'notifications', {
      role: 'ADMINISTRATOR',
      sessionId: 's-bench-admin',
      administratorId: 'bench-admin',
    });
    const added = (await (
      await fetch(first.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [internalTokenHeader]: token },
        body: JSON.stringify({
          query: `mutation ($app: ID!, $url: String!) { addWebhookEndpoint(applicationId: $app, input: { url: $url, eventTypes: ["binding_application.status_changed"] }) { secret } }`,
          variables: { app: appId, url: receiver.url },
        }),
      })
    ).json()) as { data: { addWebhookEndpoint: { secret: string } } };
    receiver.state.secret = added.data.addWebhookEndpoint.secret;
    // The durable consumer reads from "now" once it runs: a warm-up event, delivered, shows it does.
    for (let tries = 0; receiver.state.warmUps === 0 && tries < 600; tries++) {
      if (tries % 50 === 0)
        await bus.publish('cases.bindingApplication.changed', {
          applicationId: 'ba-warm-up',
          lawyerId: 'lawyer-warm-up',
          procuratorateId: 'SH-310000',
          caseId: 'case-warm-up',
          status: 'WITHDRAWN',
        });
      await new Promise((r) => setTimeout(r, 100));
    }

    say(`${kind}: publishing ${total} events…`);
    const publishedAt = new Map<string, number>();
    const t0 = Date.now();
    let killedAt: number | null = null;
    const killer =
      kind === 'sender-killed'
        ? (async () => {
            while (new Set(receiver.state.receipts.map((r) => r.id)).size < total * 0.4)
              await new Promise((r) => setTimeout(r, 20));
            first.child.kill('SIGKILL');
            killedAt = Date.now();
            say(`  killed the subgraph after ${receiver.state.receipts.length} deliveries`);
            await startSubgraph();
          })()
        : Promise.resolve();
    // One at a time, as one subgraph's requests mostly do: concurrent publishes from one process
    // can leave holes in FerretDB's event numbering, which consumers wait out (the bus's window).
    for (let i = 0; i < total; i++) {
      const e = await bus.publish('cases.bindingApplication.changed', {
        applicationId: `ba-${i}`,
        lawyerId: `lawyer-${i % 50}`,
        procuratorateId: 'SH-310000',
        caseId: `case-${i}`,
        // A status the SMS and in-app pipeline ignores: the run measures webhooks alone.
        status: 'WITHDRAWN',
      });
      publishedAt.set(e.id, Date.now());
    }
    const publishSeconds = (Date.now() - t0) / 1000;
    say(`  published in ${publishSeconds.toFixed(1)} s`);
    const deadline = Date.now() + 10 * 60_000;
    const delivered = () => new Set(receiver.state.receipts.map((r) => r.eventId));
    let shown = Date.now();
    while (delivered().size < total && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      if (Date.now() - shown > 10_000) {
        shown = Date.now();
        say(`  ${delivered().size} delivered after ${Math.round((shown - t0) / 1000)} s`);
      }
    }
    await killer;
    const lastAt = Math.max(...receiver.state.receipts.map((r) => r.at));
    // Anything sent twice would come within a lease of the last delivery.
    await new Promise((r) => setTimeout(r, kind === 'sender-killed' ? leaseMs + 2000 : 2000));

    const byId = new Map<string, number>();
    for (const r of receiver.state.receipts) byId.set(r.id, (byId.get(r.id) ?? 0) + 1);
    const repeats = [...byId.values()].reduce((n, c) => n + c - 1, 0);
    const firstReceipt = new Map<string, number>();
    for (const r of receiver.state.receipts)
      if (!firstReceipt.has(r.eventId)) firstReceipt.set(r.eventId, r.at);
    const latencies = [...firstReceipt].map(([e, at]) => at - (publishedAt.get(e) ?? at));
    const seconds = (lastAt - t0) / 1000;
    const figures = {
      run: kind,
      events: total,
      delivered: firstReceipt.size,
      lost: [...publishedAt.keys()].filter((e) => !firstReceipt.has(e)).length,
      duplicated: kind === 'steady' ? repeats : 0,
      repeatedAfterKill: kind === 'sender-killed' ? repeats : 0,
      uniqueWebhookIds: byId.size,
      badSignatures: receiver.state.badSignatures,
      seconds: round(seconds),
      deliveriesPerSecond: round(firstReceipt.size / seconds, 1),
      publishSeconds: round(publishSeconds),
      latencyMs: {
        p50: round(percentile(latencies, 50), 0),
        p99: round(percentile(latencies, 99), 0),
        max: Math.max(...latencies),
      },
      ...(killedAt ? { killedAfterSeconds: round((killedAt - t0) / 1000) } : {}),
    };
    say(JSON.stringify(figures));
    return figures;
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) =>
        c.exitCode !== null || c.signalCode !== null
          ? undefined
          : new Promise((r) => c.once('exit', r)),
      ),
    );
    await bus.close();
    await connection
      .getClient()
      .db(dbName)
      .dropDatabase()
      .catch(() => undefined);
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
    receiver.server.closeAllConnections();
    receiver.server.close();
    identity.close();
  }
}

try {
  const results = [];
  for (const kind of runs) results.push(await run(kind));
  const path = writeResult({
    benchmark: 'webhooks',
    variant: db.embedded ? 'sqlite' : 'mongodb',
    startedAt,
    provisional: !final,
    machineAtStart,
    configuration: {
      deliveries: total,
      receiverDelayMs: delayMs,
      concurrency,
      leaseMs,
      runs,
      database: db.embedded ? 'FerretDB v1.24.2 (SQLite, embedded)' : 'MONGODB_URI',
      command: `npx tsx infra/bench/src/bench/webhooks.ts --deliveries=${total} --delay=${delayMs} --concurrency=${concurrency}`,
    },
    figures: results,
    notes: [
      'steady: lost and duplicated must be 0. sender-killed: lost must be 0; repeatedAfterKill counts requests the receiver answered that the killed sender had not recorded (sent again with the same webhook-id after its lease, which receivers de-duplicate).',
    ],
  });
  say(`wrote ${path}`);
  writeSummary();
  if (results.some((r) => r.lost > 0 || r.duplicated > 0 || r.badSignatures > 0))
    process.exitCode = 1;
} finally {
  await db.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
