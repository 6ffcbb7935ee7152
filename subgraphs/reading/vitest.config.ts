import { vitestConfig } from '@yuejuan/runtime/testing/vitest';
export default vitestConfig();
