import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, startDatabase, type Backend, type DatabaseHandle } from '@yuejuan/database';
import { startGateway, writeSupergraph, type RunningGateway } from '../gateways/targets.ts';
import { removeOnExit } from '../lib/processes.ts';
import { resultsDir } from '../lib/results.ts';
import type { DatabaseNames } from '../stack/seed.ts';
import { startSubgraphs, type Subgraphs } from '../stack/subgraphs.ts';

export const provinceDatabases: DatabaseNames = {
  identity: 'province_identity',
  cases: 'province_cases',
  reading: 'province_reading',
  notifications: 'province_notifications',
  events: 'province_events',
};

/** The persisted operations the client builds ship: the real operations, run by hash. */
export const clientManifest = () =>
  join(repoRoot(), 'clients', 'operations', 'persisted-operations.json');

export interface ProvinceStack {
  backend: Backend;
  database: DatabaseHandle;
  subgraphs: Subgraphs;
  gateway: RunningGateway;
  secrets: { internal: string; idHash: string };
  logDir: string;
  stop(): Promise<void>;
}

/**
 * A fresh database of `backend` in a temporary folder (the project's launcher: FerretDB on
 * SQLite, or on its own PostgreSQL cluster), the four subgraphs as processes (as `npm start`
 * runs them, which create their collections and indexes) and our gateway in production mode,
 * accepting the clients' persisted operations.
 */
export async function startProvinceStack(backend: Backend, run: string): Promise<ProvinceStack> {
  const root = repoRoot();
  const logDir = join(resultsDir, 'logs', run, backend);
  mkdirSync(logDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), `yuejuan-province-${backend}-`));
  removeOnExit(dir);
  const secrets = {
    internal: randomBytes(32).toString('hex'),
    idHash: randomBytes(32).toString('hex'),
  };
  const database = await startDatabase({ dataDir: join(dir, 'data'), backend, env: {} });
  let subgraphs: Subgraphs | undefined;
  try {
    subgraphs = await startSubgraphs({
      root,
      logDir,
      mongoUri: database.uri,
      db: provinceDatabases,
      secrets,
      nodeEnv: 'development',
      logLevel: 'warn',
    });
    const supergraphPath = writeSupergraph(logDir, subgraphs.urls);
    const gateway = await startGateway('ours', {
      root,
      logDir,
      supergraphPath,
      urls: subgraphs.urls,
      secret: secrets.internal,
      logLevel: 'warn',
      manifestPath: clientManifest(),
    });
    const sg = subgraphs;
    let stopped = false;
    return {
      backend,
      database,
      subgraphs: sg,
      gateway,
      secrets,
      logDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        await gateway.process.stop();
        await sg.stop();
        await database.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await subgraphs?.stop();
    await database.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
