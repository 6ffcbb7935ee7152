// The province benchmark's lookups by a natural key and the console's case list (issue 17,
// part 6 leftovers): what used to read a whole collection on FerretDB.
// - consoleCases: 案件与卷宗 (ConsoleCases) as a prosecutor, through the gateway;
// - findCase: a lawyer's 部门受案号 lookup (PortalFindCase), through the gateway;
// - importCase, intakeCase, activationStart: the cases and identity services in this process on
//   the stack's database (the import CLI runs them so; intake and activation behind the gateway
//   add an OAuth token and per-IP limits that a benchmark from one address would hit, not
//   database work). Re-importing and re-pushing cases that exist (the update path, which looks
//   the case up by its number first), and starting an activation with a lawyer's register data.
import { connectMongo, type Identity } from '@yuejuan/runtime';
import { createCasesServices } from '@yuejuan/cases/services';
import {
  createIdentityServices,
  defaultPolicy,
  idCheckCharacter,
} from '@yuejuan/identity/services';
import { runOperation, sampleSeries, type Figure, type Sample } from './measure.ts';
import { model } from './seed.ts';
import { provinceDatabases } from './stack.ts';
import { hash, pick, crimes, personName, type Volumes } from './volume.ts';

export const keyMeasures = [
  'consoleCases',
  'findCase',
  'importCase',
  'intakeCase',
  'activationStart',
] as const;
export type KeyMeasure = (typeof keyMeasures)[number];

interface Context {
  uri: string;
  gatewayUrl: string;
  idHashKey: string;
  volumes: Volumes;
  yearEnd: Date;
  samples: number;
  limitMs: number;
  /** An operation's hash in the clients' manifest. */
  op: (name: string) => { hash: string };
  lawyerToken: (i: number) => string;
  prosecutors: { token: string; procuratorateId: string }[];
  /** Measures that timed out at a smaller size: not tried again. */
  skip: (m: KeyMeasure) => Figure | undefined;
}

/** A case as the seeder wrote it (seed.ts): its procuratorate, 部门受案号 and fields. */
function seededCase(m: ReturnType<typeof model>, j: number) {
  const suspect = personName(24, j);
  return {
    procuratorateId: m.caseProcuratorate(j)._id,
    input: {
      departmentCaseNumber: m.caseNumber(j),
      caseName: `${suspect}涉嫌${pick(crimes, 25, j)}案`,
      suspects: [suspect],
      stage: 'PROSECUTION_REVIEW',
    },
  };
}

/** Wraps a call as a sample under the time limit (in process: it is awaited to the end). */
async function timed(limitMs: number, fn: () => Promise<unknown>): Promise<Sample> {
  const started = performance.now();
  try {
    await fn();
    const ms = performance.now() - started;
    return { ms, timedOut: ms >= limitMs };
  } catch (err) {
    return { ms: performance.now() - started, timedOut: false, error: (err as Error).message };
  }
}

export async function measureKeyPaths(c: Context): Promise<Record<KeyMeasure, Figure>> {
  const m = model(c.yearEnd);
  const figures = {} as Record<KeyMeasure, Figure>;
  const anyCase = (i: number) => hash(600, i) % c.volumes.cases;
  const q = (name: string, token: string, variables: Record<string, unknown>, client: string) =>
    runOperation(c.gatewayUrl, token, c.op(name).hash, variables, c.limitMs, client);

  figures.consoleCases =
    c.skip('consoleCases') ??
    (await sampleSeries(c.samples, c.limitMs, (i) =>
      q('ConsoleCases', c.prosecutors[i % c.prosecutors.length]!.token, {}, 'console'),
    ));

  figures.findCase =
    c.skip('findCase') ??
    (await sampleSeries(c.samples, c.limitMs, async (i) => {
      const { procuratorateId, input } = seededCase(m, anyCase(i));
      const s = await q(
        'PortalFindCase',
        c.lawyerToken(i),
        { p: procuratorateId, n: input.departmentCaseNumber },
        'portal',
      );
      return s;
    }));

  const casesConn = await connectMongo(c.uri, provinceDatabases.cases);
  const identityConn = await connectMongo(c.uri, provinceDatabases.identity);
  try {
    const cases = createCasesServices(casesConn);
    figures.importCase =
      c.skip('importCase') ??
      (await sampleSeries(c.samples, c.limitMs, (i) => {
        const { procuratorateId, input } = seededCase(m, anyCase(1000 + i));
        return timed(c.limitMs, () => cases.cases.importCase(procuratorateId, input));
      }));

    const run = Date.now().toString(36);
    figures.intakeCase =
      c.skip('intakeCase') ??
      (await sampleSeries(c.samples, c.limitMs, (i) => {
        const { procuratorateId, input } = seededCase(m, anyCase(2000 + i));
        const system: Identity = {
          role: 'SYSTEM',
          procuratorateId,
          app: { clientId: 'province-bench', scopes: ['cases:write'] },
        };
        return timed(c.limitMs, () => cases.intake.intakeCase(system, `bench-${run}-${i}`, input));
      }));

    const identity = createIdentityServices(identityConn, {
      idHashKey: c.idHashKey,
      ttlSeconds: 12 * 3600,
      verifiedWindowSeconds: 1800,
      // One address asks all the time: the per-IP and overall limits are not what is measured.
      policy: {
        ...defaultPolicy,
        rate: { ...defaultPolicy.rate, loginsPerIp: 1_000_000 },
        activation: { ...defaultPolicy.activation, startsPerWindow: 1_000_000 },
      },
    });
    figures.activationStart =
      c.skip('activationStart') ??
      (await sampleSeries(c.samples, c.limitMs, (i) => {
        const l = hash(601, i) % c.volumes.lawyers;
        // A valid ID number that is not the lawyer's (the seeded ones carry no check character):
        // the register lookup is the same, the answer the same (INFO_VERIFIED) either way.
        const first17 = `340104${1960 + (l % 40)}0101${String(l % 1000).padStart(3, '0')}`;
        const idNumber = first17 + idCheckCharacter(first17);
        return timed(c.limitMs, () =>
          identity.activation.start(
            {
              name: personName(11, l),
              idNumber,
              licenceNumber: m.licenceNumber(l),
            },
            { ip: `10.9.${i % 250}.1`, userAgent: 'province-bench' },
            new Date(),
          ),
        );
      }));
  } finally {
    await casesConn.close();
    await identityConn.close();
  }
  return figures;
}
