import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Plain JavaScript: vitest loads config files with Node, which cannot import TypeScript here.

/**
 * The vitest settings every package shares. Tests come in two projects by cost:
 * - `unit`: `test/unit/**` — pure rules, no database, no server, run in parallel;
 * - `integration`: every other test file, against the run's one database server (global setup;
 *   `database: false` for a package that needs none), with generous hook time for FerretDB.
 * Both use the CommonJS build of graphql (Apollo's packages require it; vite would otherwise load
 * the ESM build beside it, and graphql refuses two copies of itself), telemetry off, and under
 * `npm test` a JSON result file per package for the run's summary.
 * @param {{ testTimeout?: number, hookTimeout?: number, include?: string[], pool?: 'forks' | 'threads', database?: boolean }} [extra]
 */
export const vitestConfig = (extra = {}) => {
  const resultsDir = process.env.YUEJUAN_TEST_RESULTS;
  const name = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')).name.replace(
    /[@/]/g,
    '_',
  );
  const unit = ['test/unit/**/*.test.ts'];
  return defineConfig({
    resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
    test: {
      env: { APOLLO_TELEMETRY_DISABLED: 'true' },
      passWithNoTests: true,
      ...(resultsDir
        ? { reporters: ['default', ['json', { outputFile: join(resultsDir, `${name}.json`) }]] }
        : {}),
      projects: [
        { extends: true, test: { name: 'unit', include: unit, testTimeout: 5_000 } },
        {
          extends: true,
          test: {
            name: 'integration',
            include: extra.include ?? ['test/**/*.test.ts', 'test/**/*.e2e.ts'],
            exclude: [...unit, '**/node_modules/**'],
            globalSetup: extra.database === false ? [] : ['@yuejuan/testing/global-setup'],
            testTimeout: extra.testTimeout ?? 20_000,
            hookTimeout: extra.hookTimeout ?? 120_000,
            ...(extra.pool ? { pool: extra.pool } : {}),
          },
        },
      ],
    },
  });
};
