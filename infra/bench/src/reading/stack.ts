// The package benchmark's stack: a fresh database server, the cases subgraph in the harness
// process (only asked about bindings), stand-ins for identity's contacts and notifications'
// SMS (recording the passwords a lawyer would receive), and the reading subgraph as its own
// process (as npm start runs it), so that its resident memory is its own.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { connectMongo, createEventBus, createLogger, ensureIndexes } from '@yuejuan/runtime';
import { createServer as createCases } from '@yuejuan/cases';
import { loadCasesConfig } from '@yuejuan/cases/config';
import { startPeers } from '../../../../subgraphs/reading/test/peers.ts';
import { bundleService } from '@yuejuan/ops/bundle-service';
export type { Sms } from '../../../../subgraphs/reading/test/peers.ts';
import { startBenchDatabase } from '../stack/database.ts';
import { freePort, startProcess } from '../lib/processes.ts';

export interface StackOptions {
  root: string;
  logDir: string;
  scratch: string;
  store: 'fs' | 'gridfs';
  /** How the reading process runs: `bundle` = `node <plain-JS bundle>` (bundle-service.ts), `tsx` = `node --import tsx src/index.ts`. */
  launch: 'bundle' | 'tsx';
  /** Extra Node.js flags of the reading process (e.g. V8 heap limits). */
  nodeFlags: string[];
}

/** The reading process's command line (after `node`), as the launcher would run it. */
export async function readingArgs(
  o: Pick<StackOptions, 'root' | 'launch' | 'nodeFlags'>,
): Promise<string[]> {
  const entry = join(o.root, 'subgraphs/reading/src/index.ts');
  return [
    ...o.nodeFlags,
    ...(o.launch === 'bundle' ? [await bundleService(entry)] : ['--import', 'tsx', entry]),
  ];
}

/** Starts everything; `stop()` stops it all again. */
export async function startStack(o: StackOptions) {
  const secret = randomBytes(32).toString('hex');
  const db = await startBenchDatabase('sqlite', o.logDir);
  const blobDir = join(o.scratch, 'blobs');
  const logger = createLogger('bench-cases', 'warn');
  const casesConnection = await connectMongo(db.uri, 'bench_cases');
  const casesBus = createEventBus({
    client: casesConnection.getClient(),
    dbName: 'bench_events',
    logger,
  });
  const base = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    MONGODB_URI: db.uri,
    YUEJUAN_INTERNAL_SECRET: secret,
    BLOB_DIR: blobDir,
    BLOB_STORE: o.store,
  };
  const cases = createCases({
    config: loadCasesConfig({
      ...base,
      PORT: '0',
      CASES_DB: 'bench_cases',
      EVENTS_DB: 'bench_events',
    }),
    connection: casesConnection,
    bus: casesBus,
    logger,
  });
  await ensureIndexes(casesConnection);
  const casesUrl = (await cases.start()).replace(/\/graphql$/, '');
  const peers = await startPeers(secret);
  const port = await freePort();
  const readingUrl = `http://127.0.0.1:${port}`;
  const reading = await startProcess({
    name: 'reading',
    command: 'node',
    cwd: o.root,
    logDir: o.logDir,
    args: await readingArgs(o),
    env: {
      ...process.env,
      ...base,
      PORT: String(port),
      READING_DB: 'bench_reading',
      EVENTS_DB: 'bench_events',
      CASES_INTERNAL_URL: casesUrl,
      IDENTITY_INTERNAL_URL: peers.url,
      NOTIFICATIONS_INTERNAL_URL: peers.url,
      APOLLO_TELEMETRY_DISABLED: 'true',
    },
    healthUrl: `${readingUrl}/ready`,
  });
  return {
    db,
    secret,
    blobDir,
    readingUrl,
    reading,
    sms: peers.sms,
    cases: cases.services,
    async stop() {
      await reading.stop();
      await peers.stop();
      await cases.stop();
      await casesBus.close();
      await casesConnection.close();
      await db.stop();
    },
  };
}
export type Stack = Awaited<ReturnType<typeof startStack>>;
