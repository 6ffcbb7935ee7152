import { vitestConfig } from '@yuejuan/testing/vitest';

export default vitestConfig({ database: false });
