import { svelte } from '@sveltejs/vite-plugin-svelte';
import { mergeConfig } from 'vitest/config';
import { vitestConfig } from '@yuejuan/testing/vitest';

// Unit and component tests of the shared client code: no database; components in happy-dom.
export default mergeConfig(vitestConfig({ database: false, include: ['test/**/*.test.ts'] }), {
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
});
