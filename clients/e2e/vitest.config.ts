import { mergeConfig } from 'vitest/config';
import { vitestConfig } from '@yuejuan/testing/vitest';

// The operations check (*.test.ts) and the browser journeys against the whole stack
// (*.e2e.ts): one file at a time (2 shared cores), long timeouts.
export default mergeConfig(
  vitestConfig({
    include: ['test/**/*.test.ts', 'test/**/*.e2e.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  }),
  {
    test: { fileParallelism: false },
  },
);
