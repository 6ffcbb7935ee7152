import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureFerretDB, startDatabase } from '../src/index.ts';
import { canConnect } from '../src/health.ts';
import { cleanupTemps, portOf, tempDir, withClient } from './helpers.ts';

// FerretDB 1.24 with its PostgreSQL backend, on a cluster of Debian's postgresql package that the
// launcher initialises in <dataDir>/pg (installing the package first when it is missing).
const log = (line: string) => console.log(`[database] ${line}`);

afterAll(cleanupTemps);

describe('startDatabase (FerretDB on PostgreSQL)', () => {
  it('writes and reads through the MongoDB driver, stops both servers, and keeps the data', async () => {
    await ensureFerretDB({ log });
    const dataDir = join(await tempDir(), 'data');
    const first = await startDatabase({ dataDir, backend: 'postgresql', env: {}, log });
    const pgPort = Number(new URL(first.postgresUrl!).port);
    try {
      expect(first).toMatchObject({ embedded: true, backend: 'postgresql' });
      expect(first.postgresUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/ferretdb$/);
      expect(first.pids()).toHaveLength(2);
      await withClient(first.uri, async (c) => {
        const hello = await c.db('admin').command({ hello: 1 });
        expect(hello['ok']).toBe(1);
        // (A database named pg_* would fail: PostgreSQL reserves those schema names.)
        const things = c.db('launcher_pg').collection<{ _id: string; n: number }>('things');
        await things.insertMany([
          { _id: 'a', n: 1 },
          { _id: 'b', n: 2 },
        ]);
        await things.createIndex({ n: 1 });
        expect(await things.find({ n: { $gt: 1 } }).toArray()).toEqual([{ _id: 'b', n: 2 }]);
        // FerretDB's PostgreSQL handler answers buildInfo with its own version.
        const info = await c.db('admin').command({ buildInfo: 1 });
        expect(info['ferretdbVersion']).toBe('v1.24.2');
      });
      // The cluster is where the launcher says, owned by whoever PostgreSQL runs as.
      const pgDir = statSync(join(dataDir, 'pg'));
      expect(pgDir.isDirectory()).toBe(true);
      if (process.getuid?.() === 0) expect(pgDir.uid).not.toBe(0);
    } finally {
      await Promise.all([first.stop(), first.stop()]);
    }
    expect(await canConnect(portOf(first.uri))).toBe(false);
    expect(await canConnect(pgPort)).toBe(false);
    expect(first.pids()).toEqual([]);

    // Started again on the same folder (chosen by YUEJUAN_DB_BACKEND this time): same data.
    const second = await startDatabase({ dataDir, env: { YUEJUAN_DB_BACKEND: 'postgresql' } });
    try {
      expect(second.backend).toBe('postgresql');
      await withClient(second.uri, async (c) => {
        const docs = await c
          .db('launcher_pg')
          .collection('things')
          .find()
          .sort({ _id: 1 })
          .toArray();
        expect(docs).toEqual([
          { _id: 'a', n: 1 },
          { _id: 'b', n: 2 },
        ]);
      });
    } finally {
      await second.stop();
    }
  }, 180_000);

  it('refuses an unknown YUEJUAN_DB_BACKEND', async () => {
    await expect(
      startDatabase({ dataDir: join(await tempDir(), 'd'), env: { YUEJUAN_DB_BACKEND: 'mysql' } }),
    ).rejects.toThrow(/YUEJUAN_DB_BACKEND must be sqlite or postgresql/);
  });
});
