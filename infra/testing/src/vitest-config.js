import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Plain JavaScript: vitest loads config files with Node, which cannot import TypeScript here.

/**
 * The vitest settings every package shares: one database server per run (global setup), the
 * CommonJS build of graphql (Apollo's packages require it; vite would otherwise load the ESM
 * build beside it, and graphql refuses two copies of itself), generous hook time for FerretDB,
 * telemetry off, and, under `npm test`, a JSON result file per package for the run's summary.
 * @param {{ testTimeout?: number, hookTimeout?: number, include?: string[], pool?: 'forks' | 'threads', database?: boolean }} [extra]
 */
export const vitestConfig = (extra = {}) => {
  const resultsDir = process.env.YUEJUAN_TEST_RESULTS;
  const name = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')).name.replace(
    /[@/]/g,
    '_',
  );
  return defineConfig({
    resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
    test: {
      globalSetup: extra.database === false ? [] : ['@yuejuan/testing/global-setup'],
      testTimeout: extra.testTimeout ?? 20_000,
      hookTimeout: extra.hookTimeout ?? 120_000,
      env: { APOLLO_TELEMETRY_DISABLED: 'true' },
      include: extra.include ?? ['test/**/*.test.ts', 'test/**/*.e2e.ts'],
      ...(extra.pool ? { pool: extra.pool } : {}),
      ...(resultsDir
        ? { reporters: ['default', ['json', { outputFile: join(resultsDir, `${name}.json`) }]] }
        : {}),
    },
  });
};
