import { vitestConfig } from '@yuejuan/testing/vitest';

// One test: the whole cluster under rolling restarts and SIGKILL, with a browser journey.
export default vitestConfig({
  include: ['test/**/*.e2e.ts'],
  testTimeout: 900_000,
  hookTimeout: 300_000,
  pool: 'forks',
});
