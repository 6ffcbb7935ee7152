// npm test: one database server for the whole run (embedded FerretDB in a throw-away folder,
// or MONGODB_URI), the type check and every package's tests through turbo, then one summary
// line over all packages. Exit code: 0 only when everything passed.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot, startDatabase } from '@yuejuan/database';
import { ensureChromium } from './system-packages.ts';

const root = repoRoot();

/** The parts of vitest's JSON report read here. */
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults?: {
    name: string;
    status?: string;
    message?: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0]!.slice(0, 300);

/** One line per failed test: its file (from the repository root), its name, the first line of its error. */
function failedTests(report: VitestReport): string[] {
  return (report.testResults ?? []).flatMap((file) => {
    const tests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    const where = relative(root, file.name);
    // A file can fail without a failed test (an error while loading it, or in a hook).
    if (!tests.length)
      return file.status === 'failed' ? [`  ✗ ${where}: ${firstLine(file.message)}`] : [];
    return tests.map((t) => `  ✗ ${where} › ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
  });
}
const say = (line: string) => console.log(`[yuejuan] ${line}`);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

await ensureChromium(say).catch((err: Error) => {
  console.error(`[yuejuan] ${err.message}`);
  process.exit(1);
});
const scratch = await mkdtemp(join(tmpdir(), 'yuejuan-test-'));
const db = await startDatabase({
  dataDir: process.env.MONGODB_URI ? undefined : join(scratch, 'db'),
  log: say,
}).catch((err: Error) => {
  console.error(`[yuejuan] ${err.message}`);
  process.exit(1);
});
const results = join(scratch, 'results');
const env = {
  ...process.env,
  MONGODB_URI: db.uri,
  YUEJUAN_TEST_RESULTS: results,
  APOLLO_TELEMETRY_DISABLED: 'true',
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
};
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const turbo = bin('turbo');
let code: number;
try {
  // Formatting, lint and the packages' direction first (seconds); a finding fails the run,
  // but the tests still run.
  say('格式、代码与依赖方向检查 (prettier, eslint, dependency-cruiser)…');
  const lint = await run('npm', ['run', '--silent', 'lint'], env);
  say('类型检查 (tsc)…');
  code = await run(turbo, ['run', 'typecheck', '--output-logs=errors-only'], env);
  if (code === 0) {
    say('运行测试 (vitest)…');
    code = await run(
      turbo,
      ['run', 'test', '--concurrency=1', '--continue', ...process.argv.slice(2)],
      env,
    );
  }
  let passed = 0,
    failed = 0,
    skipped = 0;
  const failures: string[] = [];
  for (const file of (await readdir(results).catch(() => [] as string[])).sort()) {
    const r = JSON.parse(await readFile(join(results, file), 'utf8')) as VitestReport;
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    failures.push(...failedTests(r));
  }
  if (passed + failed === 0 && code === 0) code = 1; // a run that tested nothing is not green
  // The failures again at the very end: a CI log is often read from its tail only.
  if (failures.length) console.log(`\n失败的测试 (failed tests):\n${failures.join('\n')}`);
  if (lint !== 0) {
    console.log(
      '\n格式或代码检查未通过 (lint failed): npm run lint; npm run format fixes most of it',
    );
    code ||= lint;
  }
  console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
} finally {
  await db.stop();
  await rm(scratch, { recursive: true, force: true });
}
process.exit(code);
