import { sveltekit } from '@sveltejs/kit/vite';
import { mergeConfig } from 'vitest/config';
import { vitestConfig } from '@yuejuan/testing/vitest';

// Unit and component tests of this app: no database, components in happy-dom.
export default mergeConfig(
  vitestConfig({ database: false, include: ['test/**/*.test.ts', 'src/**/*.test.ts'] }),
  {
    plugins: [sveltekit()],
    resolve: { conditions: ['browser'] },
  },
);
