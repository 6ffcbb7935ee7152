import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Not the shared config of @yuejuan/testing: that package depends on this one. The launcher
// tests start their own servers. Real processes: the 'forks' pool gives each file a real
// process, so the exit handler and parent-death signal guard against orphans. The first
// beforeAll may build FerretDB on a fresh clone (about a minute).
const results = process.env.YUEJUAN_TEST_RESULTS;
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 300_000,
    pool: 'forks',
    ...(results
      ? {
          reporters: ['default', ['json', { outputFile: join(results, '_yuejuan_database.json') }]],
        }
      : {}),
  },
});
