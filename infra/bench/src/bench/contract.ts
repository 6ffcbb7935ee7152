// What the integrators' contract costs the gateway (gateway/src/contract.ts), in this process:
// building it from the supergraph (at start and on each reload), checking an application's
// operation against it (the first time a document is seen, and again: Apollo keeps one parsed
// document per query text, and the guard caches by document), and answering an application's
// full introspection from it.
//   npx tsx infra/bench/src/bench/contract.ts [--iterations=2000] [--final]
import { getIntrospectionQuery, parse } from 'graphql';
import { repoRoot } from '@yuejuan/database';
import { createLogger } from '@yuejuan/runtime';
import { readSupergraph } from '@yuejuan/schema';
import { buildContract } from '@yuejuan/schema/contract';
import { createContractGuard } from '@yuejuan/gateway/contract';
import { parseArgs } from '../lib/args.ts';
import { describeMachine } from '../lib/machine.ts';
import { writeResult } from '../lib/results.ts';
import { percentile, round } from '../lib/stats.ts';

const args = parseArgs();
const iterations = args.number('iterations', 2000);
const final = args.flag('final');
args.done();
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine(repoRoot());
const supergraph = readSupergraph();

const time = (fn: () => unknown) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const sample = (n: number, fn: () => unknown) => {
  for (let i = 0; i < Math.min(50, n); i++) fn(); // warm-up
  return Array.from({ length: n }, () => time(fn));
};
const summary = (ms: number[], unit: 'ms' | 'us') => {
  const k = unit === 'us' ? 1000 : 1;
  return {
    [`p50${unit === 'us' ? 'Micros' : 'Ms'}`]: round(percentile(ms, 50) * k, 1),
    [`p95${unit === 'us' ? 'Micros' : 'Ms'}`]: round(percentile(ms, 95) * k, 1),
  };
};

const buildMs = sample(20, () => buildContract(supergraph));
const guard = createContractGuard(supergraph, createLogger('bench', 'silent'));
const text = /* GraphQL */ `
  query MyBoundCases($first: Int = 20) {
    viewer {
      lawyer {
        boundCases(first: $first) {
          totalCount
          edges {
            node {
              id
              caseName
              procuratorate {
                name
              }
            }
          }
        }
      }
    }
  }
`;
// A new document each time (as a cold cache is), then one document again (as Apollo reuses it).
const firstCheck = sample(iterations, () => guard.check(parse(text)));
const parseOnly = sample(iterations, () => parse(text));
const cached = parse(text);
const again = sample(iterations, () => guard.check(cached));
const introspection = parse(getIntrospectionQuery());
const plugin = guard.plugin;
// The introspection answer alone, through the plugin's willSendResponse as the gateway calls it.
const sampleAsync = async (n: number, fn: () => Promise<unknown>) => {
  for (let i = 0; i < Math.min(20, n); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
};
const introspectMs = await sampleAsync(Math.min(iterations, 200), async () => {
  const listener = await plugin.requestDidStart!({
    contextValue: {
      identity: { role: 'SYSTEM', procuratorateId: 'x', app: { clientId: 'c', scopes: [] } },
    },
  } as never);
  await listener!.willSendResponse!({
    response: { body: { kind: 'single', singleResult: { data: {} } } },
    document: introspection,
    request: {},
    operation: introspection.definitions[0],
  } as never);
});

const figures = {
  buildContract: summary(buildMs, 'ms'),
  checkNewDocument: {
    ...summary(
      firstCheck.map((ms, i) => Math.max(0, ms - parseOnly[i]!)),
      'us',
    ),
    note: 'validation against the contract, parse time subtracted',
  },
  checkSameDocument: summary(again, 'us'),
  introspectionAnswer: summary(introspectMs, 'ms'),
};
console.log(JSON.stringify(figures, null, 2));
const path = writeResult({
  benchmark: 'contract',
  variant: 'in-process',
  startedAt,
  provisional: !final,
  machineAtStart,
  configuration: {
    iterations,
    operation: 'MyBoundCases (clients/sdk-example), 9 fields',
    supergraph: 'schema/supergraph.graphql as committed',
  },
  figures,
  notes: [
    'One process, no server: the guard’s own work per application request, not the HTTP path.',
    'introspectionAnswer: getIntrospectionQuery() answered from the contract (the gateway answers it from the full schema first; the plugin replaces it).',
  ],
});
console.log(`wrote ${path}`);
