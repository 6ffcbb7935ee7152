// Benchmark (b): database commands per operation, by driver command monitoring (as
// gateway/test/federation.test.ts does), for lawyers with 5, 20 and 60 cases: the count must
// not grow with the list. The subgraphs run in this process on monitored connections; our
// gateway runs as its own process in front of them (NODE_ENV=production, persisted operations).
//   npx tsx infra/bench/src/bench/db-commands.ts [--backend=sqlite|postgresql] [--final]
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { repoRoot } from '@yuejuan/database';
import type { SubgraphName } from '@yuejuan/schema';
import { parseArgs } from '../lib/args.ts';
import { describeMachine } from '../lib/machine.ts';
import { resultsDir, writeResult } from '../lib/results.ts';
import { backends, startBenchDatabase } from '../stack/database.ts';
import { seedBench, type SeedSizes } from '../stack/seed.ts';
import { databaseNames } from '../stack/setup.ts';
import {
  recordCommands,
  startInProcessSubgraphs,
  type CommandRecord,
} from '../stack/in-process.ts';
import { startGateway, writeSupergraph, type RunningGateway } from '../gateways/targets.ts';
import { operationNames, requestBody, writeManifest } from '../operations.ts';
import { post } from './turn.ts';
import { writeSummary } from '../summary.ts';

// Collections only the notifications workers (SMS outbox, fan-out) poll: their commands land in
// the window by chance, not because of the request, and are reported apart.
const background = /^(sms_|fanouts|dev_sms)/;

const args = parseArgs();
const backend = args.string('backend', 'sqlite', backends);
const final = args.flag('final');
args.done();

const sizes: Record<string, SeedSizes> = {
  small: { cases: 5, approved: 5, notifications: 3, unread: 1 },
  medium: { cases: 20, approved: 20, notifications: 6, unread: 2 },
  large: { cases: 60, approved: 55, notifications: 12, unread: 5 },
};
const root = repoRoot();
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine(root);
const logDir = join(resultsDir, 'logs', `db-commands-${backend}`);
mkdirSync(logDir, { recursive: true });
const secrets = {
  internal: randomBytes(32).toString('hex'),
  idHash: randomBytes(32).toString('hex'),
};
const database = await startBenchDatabase(backend, logDir);
let subgraphs: Awaited<ReturnType<typeof startInProcessSubgraphs>> | undefined;
let gateway: RunningGateway | undefined;
try {
  const lawyers = [];
  for (const [i, [name, s]] of Object.entries(sizes).entries())
    lawyers.push({
      name,
      ...(await seedBench(database.uri, databaseNames, secrets.idHash, s, i + 1)),
    });
  subgraphs = await startInProcessSubgraphs({ mongoUri: database.uri, db: databaseNames, secrets });
  gateway = await startGateway('ours', {
    root,
    logDir,
    supergraphPath: writeSupergraph(logDir, subgraphs.urls),
    manifestPath: writeManifest(logDir),
    urls: subgraphs.urls,
    secret: secrets.internal,
    logLevel: 'warn',
  });
  const figures: Record<string, unknown> = {};
  const sg = subgraphs;
  for (const op of operationNames) {
    const bySize: Record<
      string,
      {
        listItems: number;
        perDatabase: Record<string, number>;
        total: number;
        notIdLookups: number;
        backgroundCommands: number;
        commands: CommandRecord[];
      }
    > = {};
    for (const l of lawyers) {
      const body = requestBody(op, l.lawyerId, true);
      await post(gateway.url, body, l.token); // warm: plans and caches are not what is measured
      const recorded = await recordCommands(sg.connections, () =>
        post(gateway!.url, body, l.token),
      );
      const { result } = recorded;
      const commands = recorded.commands.filter((c) => !background.test(c.collection ?? ''));
      const backgroundCommands = recorded.commands.length - commands.length;
      const parsed = JSON.parse(result.text) as { errors?: unknown[] };
      if (result.status !== 200 || parsed.errors)
        throw new Error(`${op} for ${l.name}: ${result.text.slice(0, 300)}`);
      const perDatabase = Object.fromEntries(
        (Object.keys(sg.connections) as SubgraphName[]).map((n) => [
          n,
          commands.filter((c) => c.database === n).length,
        ]),
      );
      const listItems =
        op === 'bound-cases' ? Math.min(50, l.sizes.approved) : Math.min(20, l.sizes.cases);
      // On SQLite FerretDB uses an index only for a filter that is exactly {_id: value}.
      const notIdLookups = commands.filter((c) => !c.idEquality).length;
      bySize[l.name] = {
        listItems,
        perDatabase,
        total: commands.length,
        notIdLookups,
        backgroundCommands,
        commands,
      };
      console.log(
        `[db-commands] ${op}, ${l.name} (${listItems} list items): ${commands.length} commands ${JSON.stringify(perDatabase)}`,
      );
    }
    const totals = Object.values(bySize).map((x) => x.total);
    // One more case batch when the two lists' loads fall in different ticks is batching, not N+1.
    figures[op] = { bySize, growsWithList: Math.max(...totals) - Math.min(...totals) > 1 };
  }
  const path = writeResult({
    benchmark: 'db-commands',
    variant: backend,
    startedAt,
    provisional: !final,
    machineAtStart,
    figures,
    notes: [
      'Commands of one request after a warm-up request, on all four subgraph databases, including the session lookup of identity.',
      "notIdLookups: commands whose filter is not exactly {_id: value} (a scan on FerretDB/SQLite, $in included); the notifications workers' polling (sms_*, fanouts) is counted apart as backgroundCommands.",
    ],
    configuration: {
      backend,
      database: database.description,
      lawyers: sizes,
      operations: operationNames,
      gateway: 'ours as a process, NODE_ENV=production, persisted operations',
      subgraphs: 'in-process, NODE_ENV=development, command monitoring on',
    },
  });
  writeSummary();
  console.log(`[db-commands] wrote ${path}`);
} finally {
  await gateway?.process.stop();
  await subgraphs?.stop();
  await database.stop();
}
