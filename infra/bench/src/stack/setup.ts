import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@yuejuan/database';
import { resultsDir } from '../lib/results.ts';
import { startBenchDatabase, type Backend, type BenchDatabase } from './database.ts';
import {
  seedBench,
  defaultSizes,
  type DatabaseNames,
  type Seeded,
  type SeedSizes,
} from './seed.ts';
import { startSubgraphs, type Subgraphs } from './subgraphs.ts';
import { writeSupergraph } from '../gateways/targets.ts';
import { writeManifest } from '../operations.ts';

export interface BenchStack {
  root: string;
  logDir: string;
  backend: Backend;
  database: BenchDatabase;
  subgraphs: Subgraphs;
  seeded: Seeded;
  secrets: { internal: string; idHash: string };
  supergraphPath: string;
  manifestPath: string;
  /** Stops everything this stack started (idempotent). */
  stop(): Promise<void>;
}

export const databaseNames: DatabaseNames = {
  identity: 'bench_identity',
  cases: 'bench_cases',
  reading: 'bench_reading',
  notifications: 'bench_notifications',
  events: 'bench_events',
};

/**
 * A fresh database (of `backend`) with the benchmark's data, and the four subgraphs as
 * processes. Logs go to infra/bench/results/logs/<run>/ (git-ignored by *.log).
 */
export async function startBenchStack(o: {
  backend: Backend;
  run: string;
  sizes?: SeedSizes;
  subgraphEnv?: string;
  logLevel?: string;
}): Promise<BenchStack> {
  const root = repoRoot();
  const logDir = join(resultsDir, 'logs', o.run);
  mkdirSync(logDir, { recursive: true });
  const secrets = {
    internal: randomBytes(32).toString('hex'),
    idHash: randomBytes(32).toString('hex'),
  };
  const database = await startBenchDatabase(o.backend, logDir);
  let subgraphs: Subgraphs | undefined;
  try {
    const seeded = await seedBench(
      database.uri,
      databaseNames,
      secrets.idHash,
      o.sizes ?? defaultSizes,
    );
    subgraphs = await startSubgraphs({
      root,
      logDir,
      mongoUri: database.uri,
      db: databaseNames,
      secrets,
      nodeEnv: o.subgraphEnv ?? 'development',
      logLevel: o.logLevel ?? 'warn',
    });
    const supergraphPath = writeSupergraph(logDir, subgraphs.urls);
    const manifestPath = writeManifest(logDir);
    let stopped = false;
    const sg = subgraphs;
    return {
      root,
      logDir,
      backend: o.backend,
      database,
      subgraphs: sg,
      seeded,
      secrets,
      supergraphPath,
      manifestPath,
      async stop() {
        if (stopped) return;
        stopped = true;
        await sg.stop();
        await database.stop();
      },
    };
  } catch (err) {
    await subgraphs?.stop();
    await database.stop();
    throw err;
  }
}
