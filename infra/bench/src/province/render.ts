import type { ResultFile } from '../lib/results.ts';

// The province benchmark's table for results/SUMMARY.md (registered in summary-render.ts).

interface Figure {
  status: string;
  p50: number | null;
  p95: number | null;
  timeouts: number;
  errors: number;
  note?: string;
}
interface SizeResult {
  percent: number;
  volumes: Record<string, number>;
  seeded: { documents: Record<string, number>; seconds: number } | null;
  figures: Record<string, Figure>;
  note?: string;
}

const measures: [string, string][] = [
  ['personalCentre', '个人中心 (page)'],
  ['reviewQueue', '审核队列'],
  ['boundCases', '已绑定案件'],
  ['subscription', 'publish → received'],
  ['consoleCases', '案件与卷宗 (console)'],
  ['findCase', '部门受案号 lookup'],
  ['importCase', 'import one case'],
  ['intakeCase', 'intake one case'],
  ['activationStart', '开始激活 (licence)'],
];

const cell = (f: Figure | undefined) => {
  if (!f || f.status === 'not measured') return '—';
  const ms = `${f.p50} / ${f.p95}`;
  const extra = [
    f.status === 'timed out' ? '**timed out**' : '',
    f.timeouts ? `${f.timeouts} time-outs` : '',
    f.errors ? `${f.errors} errors` : '',
  ].filter(Boolean);
  return extra.length ? `${ms} (${extra.join(', ')})` : ms;
};

/** p50 / p95 in ms per backend, size and measure, with the seeded volume. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- benchmark JSON is read freely
export const renderProvince = (r: ResultFile<any>): string[] => {
  const figures = r.figures as Record<string, SizeResult[]>;
  const config = r.configuration as {
    command?: string;
    limitMs?: number;
    samplesPerMeasure?: number;
  };
  const lines = [
    `\`${config.command ?? 'npx tsx infra/bench/src/province/run.ts'}\` — p50 / p95 ms, ${config.samplesPerMeasure} samples each, one request at a time, limit ${config.limitMs} ms per request.`,
    '',
    `| backend | size | lawyers · cases · bindings · readings · notifications | seeded | ${measures.map(([, t]) => t).join(' | ')} |`,
    `|---|---|---|---|${measures.map(() => '---').join('|')}|`,
  ];
  for (const [backend, sizes] of Object.entries(figures))
    for (const s of sizes) {
      const v = s.volumes;
      const docs = s.seeded ? Object.values(s.seeded.documents).reduce((a, b) => a + b, 0) : 0;
      lines.push(
        `| ${backend} | ${s.percent} % | ${[v.lawyers, v.cases, v.bindingApplications, v.readingApplications, v.notifications].map((n) => n!.toLocaleString('en')).join(' · ')} | ${s.seeded ? `+${docs.toLocaleString('en')} docs in ${Math.round(s.seeded.seconds)} s` : (s.note ?? '—')} | ${measures.map(([m]) => cell(s.figures[m])).join(' | ')} |`,
      );
    }
  return lines;
};
