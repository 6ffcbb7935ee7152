import { vitestConfig } from '@yuejuan/runtime/testing/vitest';

export default vitestConfig({ testTimeout: 60_000 });
