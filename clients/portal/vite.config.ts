import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { persistedOperations } from '@yuejuan/client-shared/vite';

export default defineConfig({
  plugins: [sveltekit(), persistedOperations()],
  server: { port: 3000, strictPort: true },
  build: { reportCompressedSize: false },
});
