// Where the reading process's resident memory at rest comes from: starts the same entry several
// ways against one fresh database (under tsx as npm start runs it today, as a plain-JS bundle,
// with V8 heap flags) and reports each one's RSS and V8 heap once ready and idle.
//
//   npx tsx infra/bench/src/reading/idle-memory.ts [--settle-ms=3000]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@yuejuan/database';
import { parseArgs } from '../lib/args.ts';
import { freePort, removeOnExit, startProcess } from '../lib/processes.ts';
import { memory } from '../lib/procstat.ts';
import { startBenchDatabase } from '../stack/database.ts';
import { bundleService } from '@yuejuan/ops/bundle-service';

const args = parseArgs();
const settleMs = args.number('settle-ms', 3000);
args.done();

const root = repoRoot();
const scratch = mkdtempSync(join(tmpdir(), 'yuejuan-bench-idle-'));
removeOnExit(scratch);
const db = await startBenchDatabase('sqlite', join(scratch, 'logs'));
const bundle = await bundleService(join(root, 'subgraphs/reading/src/index.ts'));
const entry = 'subgraphs/reading/src/index.ts';
const variants: Record<string, string[]> = {
  'tsx (npm start today)': ['--import', 'tsx', entry],
  'tsx --max-semi-space-size=4': ['--max-semi-space-size=4', '--import', 'tsx', entry],
  bundle: [bundle],
  'bundle --max-semi-space-size=4': ['--max-semi-space-size=4', bundle],
  'bundle --max-semi-space-size=1': ['--max-semi-space-size=1', bundle],
  'bundle --optimize-for-size': ['--optimize-for-size', bundle],
  'bundle --max-semi-space-size=4 --max-old-space-size=96': [
    '--max-semi-space-size=4',
    '--max-old-space-size=96',
    bundle,
  ],
};
const toMb = (kb: number) => Math.round(kb / 102.4) / 10;
try {
  for (const [name, argv] of Object.entries(variants)) {
    const port = await freePort();
    const started = performance.now();
    const proc = await startProcess({
      name: `reading-${Object.keys(variants).indexOf(name)}`,
      command: 'node',
      cwd: root,
      logDir: join(scratch, 'logs'),
      args: argv,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        MONGODB_URI: db.uri,
        YUEJUAN_INTERNAL_SECRET: 'x'.repeat(64),
        BLOB_DIR: join(scratch, 'blobs'),
        PORT: String(port),
        READING_DB: 'idle_reading',
        EVENTS_DB: 'idle_events',
        APOLLO_TELEMETRY_DISABLED: 'true',
      },
      healthUrl: `http://127.0.0.1:${port}/ready`,
    });
    const readyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, settleMs));
    const m = memory(proc.pid)!;
    console.log(
      `${name.padEnd(58)} ready in ${Math.round(readyMs)} ms; RSS ${toMb(m.rssKb)} MB, peak ${toMb(m.peakKb)} MB`,
    );
    await proc.stop();
  }
} finally {
  await db.stop();
}
