import type { ResultFile } from './lib/results.ts';
import { renderProvince } from './province/render.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- benchmark JSON is read freely
type Render = (r: ResultFile<any>) => string[];
const cell = (x: unknown) =>
  x === null || x === undefined || (typeof x === 'number' && !Number.isFinite(x))
    ? '—'
    : typeof x === 'boolean'
      ? x
        ? 'yes'
        : '**no**'
      : String(x);
const table = (head: string[], rows: unknown[][]) => [
  `| ${head.join(' | ')} |`,
  `|${head.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
];

const gatewayLoad: Render = (r) => {
  const f = r.figures as {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- benchmark JSON is read freely
    byTarget: Record<string, Record<string, any>>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- benchmark JSON is read freely
    ratios: Record<string, Record<string, any>>;
    targetsMet: Record<string, Record<string, boolean | null>>;
  };
  const out: string[] = [];
  const c = r.configuration as { connections: number; secondsPerTurn: number; rounds: number };
  out.push(
    `${c.connections} connections, ${c.rounds} rounds × ${c.secondsPerTurn} s per target and operation, interleaved; medians over rounds.`,
    '',
  );
  for (const op of Object.keys(f.ratios)) {
    out.push(`**${op}**`, '');
    out.push(
      ...table(
        [
          'target',
          'req/s',
          'p50 ms',
          'p99 ms',
          'gateway CPU ms/req',
          'subgraph CPU ms/req',
          'database CPU ms/req',
          'gateway max RSS MiB',
          'subgraph req / client req',
          'errors',
        ],
        Object.entries(f.byTarget).map(([t, ops]) => {
          const x = ops[op];
          return [
            t,
            x?.requestsPerSecond,
            x?.p50,
            x?.p99,
            x?.gatewayCpuMsPerRequest,
            x?.subgraphCpuMsPerRequest,
            x?.databaseCpuMsPerRequest,
            x?.gatewayMaxRssMiB,
            x?.subgraphRequestsPerRequest,
            x?.errors,
          ];
        }),
      ),
    );
    const ra = f.ratios[op]!;
    const pr = ra.paired as
      Record<string, { median: number; perRound: number[] } | null> | undefined;
    const pc = (k: string) => {
      const x = pr?.[k];
      return x ? `${x.median} (rounds ${x.perRound.join(', ')})` : '–';
    };
    if (pr)
      out.push(
        '',
        `Paired ratios (per round, median; the targets are judged on these): ours/hive ${pc('oursVsHive')}, ours/stock ${pc('oursVsStock')}, ours/hive-rust ${pc('oursVsHiveRust')}, ours/direct ${pc('oursVsDirect')}${pr.directVsHive ? `; the ceiling of ours/hive (direct/hive: a gateway costing nothing) ${pc('directVsHive')}` : ''}.`,
      );
    out.push(
      '',
      `Ratios of the medians: ours/hive ${cell(ra.oursVsHive)}, ours/stock ${cell(ra.oursVsStock)}, ours/hive-rust ${cell(ra.oursVsHiveRust)}, ours/direct ${cell(ra.oursVsDirect)}, ours p99/p50 ${cell(ra.oursP99OverP50)}.`,
    );
    if ('cpuHiveOverOurs' in ra)
      out.push(
        `Gateway CPU per request, peer over ours (> 1: ours is leaner): hive ${cell(ra.cpuHiveOverOurs)}, stock ${cell(ra.cpuStockOverOurs)}, hive-rust ${cell(ra.cpuHiveRustOverOurs)}.`,
      );
    out.push(
      `Targets met: ${Object.entries(f.targetsMet[op] ?? {})
        .map(([k, v]) => `${k}: ${cell(v)}`)
        .join('; ')}.`,
      '',
    );
  }
  return out;
};

const dbCommands: Render = (r) => {
  const f = r.figures as Record<
    string,
    {
      bySize: Record<
        string,
        {
          listItems: number;
          perDatabase: Record<string, number>;
          total: number;
          notIdLookups: number;
        }
      >;
      growsWithList: boolean;
    }
  >;
  const out: string[] = [];
  for (const [op, x] of Object.entries(f)) {
    out.push(`**${op}** — grows with the list: ${x.growsWithList ? '**yes**' : 'no'}`, '');
    out.push(
      ...table(
        [
          'lawyer',
          'list items',
          'identity',
          'cases',
          'reading',
          'notifications',
          'total',
          'not `_id` lookups',
        ],
        Object.entries(x.bySize).map(([n, s]) => [
          n,
          s.listItems,
          s.perDatabase.identity,
          s.perDatabase.cases,
          s.perDatabase.reading,
          s.perDatabase.notifications,
          s.total,
          s.notIdLookups,
        ]),
      ),
      '',
    );
  }
  return out;
};

const openLoop: Render = (r) => {
  const c = r.configuration as {
    operation: string;
    rate: number;
    rateSource: string;
    seconds: number;
  };
  const f = r.figures as Record<
    string,
    {
      achievedRate: number;
      errors: number;
      dropped: number;
      latencyMs: { p50: number; p90: number; p99: number; max: number };
      p99OverP50: number;
      gatewayPeakRssMiB: number;
      rssBaselineMiB?: number;
      rssEndMiB?: number;
      rssGrowthPercent?: number;
      rssGrowthUnder10Percent?: boolean;
    }
  >;
  const soak = r.benchmark === 'soak';
  return [
    `${c.operation} at ${c.rate} req/s (${c.rateSource}) for ${c.seconds} s, open loop (latency from each request's due time).`,
    '',
    ...table(
      [
        'target',
        'req/s sent',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'p99/p50',
        'errors',
        'dropped',
        'peak RSS MiB',
        ...(soak ? ['RSS start → end MiB', 'RSS growth %', 'under 10%'] : []),
      ],
      Object.entries(f).map(([t, x]) => [
        t,
        x.achievedRate,
        x.latencyMs.p50,
        x.latencyMs.p90,
        x.latencyMs.p99,
        x.latencyMs.max,
        x.p99OverP50,
        x.errors,
        x.dropped,
        x.gatewayPeakRssMiB,
        ...(soak
          ? [`${x.rssBaselineMiB} → ${x.rssEndMiB}`, x.rssGrowthPercent, x.rssGrowthUnder10Percent]
          : []),
      ]),
    ),
  ];
};

const faults: Render = (r) => {
  const f = r.figures as Record<
    string,
    {
      fault: string;
      downForMs: number;
      reads: { sent: number; ok: number; partial: number; errors: number };
      recoveryMs: number;
      writes: { acknowledged: number; failed: number; lost: number };
      crashes: number;
      seededApplicationsIntact: boolean;
    }
  >;
  return table(
    [
      'fault',
      'down ms',
      'reads sent',
      'ok',
      'partial',
      'errors',
      'recovery ms (after back)',
      'writes acknowledged',
      'writes failed',
      'writes lost',
      'seeded data intact',
      'crashes',
    ],
    Object.values(f).map((x) => [
      x.fault,
      x.downForMs,
      x.reads.sent,
      x.reads.ok,
      x.reads.partial,
      x.reads.errors,
      Math.round(x.recoveryMs),
      x.writes.acknowledged,
      x.writes.failed,
      x.writes.lost,
      x.seededApplicationsIntact,
      x.crashes,
    ]),
  );
};

/** 在线阅卷's page images (reading/reader.ts). */
const reader: Render = (r) => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- benchmark JSON is read freely
  const f = r.figures as Record<string, any>;
  const ms = (x: { p50: number; p99: number }) => `${x.p50} / ${x.p99}`;
  return [
    `A ${f.volume.pages}-page volume (every tenth page scanned), pages 1200 px wide, JPEG.`,
    '',
    ...table(
      ['measure', 'figure'],
      [
        ['first page after a cold start, ms (3 runs)', f.coldFirstPageMs.join(', ')],
        ['one core: first view p50 / p99 ms', ms(f.oneCore.firstViewMs)],
        ['one core: cached page p50 / p99 ms', ms(f.oneCore.cachedMs)],
        [
          'one core: pages/s first view · cached',
          `${f.oneCore.firstViewPagesPerSecond} · ${f.oneCore.cachedPagesPerSecond}`,
        ],
        [
          `${f.readersAtOnce.readers} readers, no reading time: first view p50 / p99 ms`,
          ms(f.readersAtOnce.firstViewMs),
        ],
        [
          `${f.readersAtOnce.readers} readers, no reading time: cached p50 / p99 ms`,
          ms(f.readersAtOnce.cachedMs),
        ],
        [
          `${f.readersAtOnce.readers} readers, no reading time: pages/s (2 cores)`,
          f.readersAtOnce.pagesPerSecond,
        ],
        [
          `${f.readersReading.readers} readers, a page every ${f.readersReading.thinkMs / 1000} s: p50 / p99 ms`,
          ms(f.readersReading.firstViewMs),
        ],
        ['OCR pages/min per core (chi_sim)', f.ocr.pagesPerMinutePerCore],
        [
          'peak RSS MB: pdftoppm · tesseract',
          `${f.memoryMb.children.pdftoppm?.peakMb} · ${f.memoryMb.children.tesseract?.peakMb}`,
        ],
        [
          'benchmark process RSS MB before · during readers',
          `${f.memoryMb.reading.maxRssMbByPhase['make-volume']} · ${f.memoryMb.reading.maxRssMbByPhase.readers}`,
        ],
      ],
    ),
  ];
};

/** How each benchmark's figures become Markdown (unknown ones are shown as JSON). */
export const renderers: Record<string, Render> = {
  'gateway-load': gatewayLoad,
  'db-commands': dbCommands,
  'open-loop': openLoop,
  soak: openLoop,
  faults,
  reader,
  province: renderProvince,
};
