import { vitestConfig } from '@yuejuan/testing/vitest';

export default vitestConfig({ testTimeout: 60_000 });
