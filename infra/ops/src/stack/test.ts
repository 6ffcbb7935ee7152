// npm test: one database server for the whole run (embedded FerretDB in a throw-away folder,
// or MONGODB_URI), the type check and every package's tests through turbo, then one summary
// line over all packages. Exit code: 0 only when everything passed.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startDatabase } from '@yuejuan/database';
import { ensureChromium } from './system-packages.ts';

const root = repoRoot();
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
const db = await startDatabase({ dataDir: process.env.MONGODB_URI ? undefined : join(scratch, 'db'), log: say }).catch((err: Error) => {
  console.error(`[yuejuan] ${err.message}`);
  process.exit(1);
});
const results = join(scratch, 'results');
const env = { ...process.env, MONGODB_URI: db.uri, YUEJUAN_TEST_RESULTS: results, APOLLO_TELEMETRY_DISABLED: 'true', TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
const turbo = join(root, 'node_modules', '.bin', 'turbo');
let code = 1;
try {
  say('类型检查 (tsc)…');
  code = await run(turbo, ['run', 'typecheck', '--output-logs=errors-only'], env);
  if (code === 0) {
    say('运行测试 (vitest)…');
    code = await run(turbo, ['run', 'test', '--concurrency=1', '--continue', ...process.argv.slice(2)], env);
  }
  let passed = 0, failed = 0, skipped = 0;
  for (const file of await readdir(results).catch(() => [] as string[])) {
    const r = JSON.parse(await readFile(join(results, file), 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
  }
  if (passed + failed === 0 && code === 0) code = 1; // a run that tested nothing is not green
  console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
} finally {
  await db.stop();
  await rm(scratch, { recursive: true, force: true });
}
process.exit(code);
