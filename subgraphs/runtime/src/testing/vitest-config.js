import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every package shares: one database server per run (global setup), the
 * CommonJS build of graphql (Apollo's packages require it; vite would otherwise load the ESM
 * build beside it, and graphql refuses two copies of itself), generous hook time for FerretDB.
 */
// Plain JavaScript: vitest loads config files with Node, which cannot import TypeScript here.
/** @param {{ testTimeout?: number, include?: string[] }} [extra] */
export const vitestConfig = (extra = {}) =>
  defineConfig({
    resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
    test: {
      globalSetup: ['@yuejuan/runtime/testing/global-setup'],
      testTimeout: extra.testTimeout ?? 20_000,
      hookTimeout: 120_000,
      env: { APOLLO_TELEMETRY_DISABLED: 'true' },
      ...(extra.include ? { include: extra.include } : {}),
    },
  });
