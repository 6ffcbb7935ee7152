import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real processes. Generous hook timeout only because a fresh clone builds FerretDB
    // (about a minute) in the first beforeAll; normal runs take a few seconds.
    testTimeout: 30_000,
    hookTimeout: 300_000,
    // Child processes: the 'forks' pool gives each file a real process, so the
    // exit handler and parent-death signal guard against orphans.
    pool: 'forks',
  },
});
