// Which database commands each measured operation sends at a given size, with their time (driver
// command monitoring on the subgraphs' own connections, the subgraphs in this process). For
// finding the hot paths that grow with data; writes nothing to results/.
//
//   npx tsx infra/bench/src/province/profile.ts [--size=10] [--backend=sqlite] [--slower-than=5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { connectMongo } from '@yuejuan/runtime';
import { createIdentityServices } from '@yuejuan/identity/services';
import { backends, repoRoot, startDatabase, type Backend } from '@yuejuan/database';
import type { SubgraphName } from '@yuejuan/schema';
import { parseArgs } from '../lib/args.ts';
import { startGateway, writeSupergraph } from '../gateways/targets.ts';
import { startInProcessSubgraphs } from '../stack/in-process.ts';
import { clientOperations, runOperation } from './measure.ts';
import { model, seedProvince } from './seed.ts';
import { clientManifest, provinceDatabases } from './stack.ts';
import { volumesAt } from './volume.ts';

const args = parseArgs();
const size = args.number('size', 10);
const backend = args.string<Backend>('backend', 'sqlite', backends);
const slowerThan = args.number('slower-than', 5);
args.done();

interface Command {
  database: string;
  command: string;
  collection: string;
  filter: string;
  ms: number;
}

/** Every command the connections send while `fn` runs, with its duration. */
async function recordTimed(
  connections: Record<SubgraphName, Connection>,
  fn: () => Promise<unknown>,
) {
  const started = new Map<number, Omit<Command, 'ms'>>();
  const done: Command[] = [];
  const offs = Object.values(connections).flatMap((conn) => {
    const client = conn.getClient();
    const onStart = (e: {
      requestId: number;
      commandName: string;
      databaseName: string;
      command: Record<string, unknown>;
    }) => {
      const c = e.command;
      const filter =
        c.filter ?? c.query ?? (Array.isArray(c.pipeline) ? c.pipeline[0] : undefined) ?? c.q;
      started.set(e.requestId, {
        database: e.databaseName,
        command: e.commandName,
        collection: typeof c[e.commandName] === 'string' ? (c[e.commandName] as string) : '',
        filter: JSON.stringify(filter ?? c.updates ?? c.deletes ?? '')?.slice(0, 160) ?? '',
      });
    };
    const onEnd = (e: { requestId: number; duration: number }) => {
      const s = started.get(e.requestId);
      if (s) done.push({ ...s, ms: e.duration });
      started.delete(e.requestId);
    };
    client.on('commandStarted', onStart);
    client.on('commandSucceeded', onEnd);
    client.on('commandFailed', onEnd);
    return [
      () => client.off('commandStarted', onStart),
      () => client.off('commandSucceeded', onEnd),
      () => client.off('commandFailed', onEnd),
    ];
  });
  try {
    await fn();
  } finally {
    offs.forEach((off) => off());
  }
  return done;
}

const dir = mkdtempSync(join(tmpdir(), 'yuejuan-profile-'));
const db = await startDatabase({ dataDir: join(dir, 'data'), backend, env: {} });
const secrets = { internal: 'p'.repeat(64), idHash: 'h'.repeat(64) };
const subgraphs = await startInProcessSubgraphs({
  mongoUri: db.uri,
  db: provinceDatabases,
  secrets,
});
const logDir = join(dir, 'logs');
const gateway = await startGateway('ours', {
  root: repoRoot(),
  logDir,
  supergraphPath: writeSupergraph(dir, subgraphs.urls),
  urls: subgraphs.urls,
  secret: secrets.internal,
  logLevel: 'warn',
  manifestPath: clientManifest(),
});
try {
  const yearEnd = new Date();
  const volumes = volumesAt(size);
  const seeded = await seedProvince({
    uri: db.uri,
    db: provinceDatabases,
    idHashKey: secrets.idHash,
    from: null,
    to: volumes,
    yearEnd,
    consentVersion: '2025-01',
    log: (l) => console.log(`[profile] ${l}`),
  });
  console.log(`[profile] ${backend} ${size} %: seeded in ${Math.round(seeded.seconds)} s`);
  const conn = await connectMongo(db.uri, provinceDatabases.identity);
  const { sessions } = createIdentityServices(conn, {
    idHashKey: secrets.idHash,
    ttlSeconds: 3600,
    verifiedWindowSeconds: 1800,
  } as Parameters<typeof createIdentityServices>[1]);
  const m = model(yearEnd);
  let li = 1;
  while (!m.registered(li)) li++;
  const lawyer = await sessions.open({ role: 'LAWYER', subjectId: m.lawyerId(li), method: 'SCAN' });
  const prosecutor = await sessions.open({
    role: 'PROSECUTOR',
    subjectId: m.prosecutorId(5, 0),
    procuratorateId: 'AH-340104',
    method: 'PROSECUTOR',
  });
  await conn.close();
  const ops = clientOperations();
  const cases: [string, string, Record<string, unknown>][] = [
    ['PortalViewer', lawyer.token, {}],
    ['PortalCenter', lawyer.token, {}],
    ['PortalUnread', lawyer.token, {}],
    ['PortalBound', lawyer.token, {}],
    ['ConsoleBindingQueue', prosecutor.token, { status: 'SUBMITTED' }],
  ];
  for (const [name, token, variables] of cases) {
    await runOperation(gateway.url, token, ops.get(name)!.hash, variables, 120_000, 'profile');
    let answer: Awaited<ReturnType<typeof runOperation>> | undefined;
    const commands = await recordTimed(subgraphs.connections, async () => {
      answer = await runOperation(
        gateway.url,
        token,
        ops.get(name)!.hash,
        variables,
        120_000,
        'profile',
      );
    });
    console.log(
      `\n${name}: ${Math.round(answer!.ms)} ms${answer!.error ? ` (${answer!.error})` : ''}, ${commands.length} commands`,
    );
    for (const c of commands.filter((c) => c.ms >= slowerThan).sort((a, b) => b.ms - a.ms))
      console.log(
        `  ${c.ms.toFixed(1).padStart(8)} ms  ${c.database}.${c.collection} ${c.command} ${c.filter}`,
      );
  }
} finally {
  await gateway.process.stop();
  await subgraphs.stop();
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
