// vitest globalSetup: one database server for a test run. With MONGODB_URI set (npm test sets
// it, CI may point it at real MongoDB) it is used as is; otherwise the embedded FerretDB starts
// in a throw-away folder and stops when the run ends.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDatabase } from '@yuejuan/database';
import type { TestProject } from 'vitest/node';

import './provided.ts';

export default async function setup(project: TestProject) {
  const dataDir = process.env.MONGODB_URI
    ? undefined
    : await mkdtemp(join(tmpdir(), 'yuejuan-test-db-'));
  const db = await startDatabase({ dataDir });
  project.provide('mongodbUri', db.uri);
  return async () => {
    await db.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
