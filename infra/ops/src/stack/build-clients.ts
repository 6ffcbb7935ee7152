import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The three clients, each a SvelteKit app served by its own node server. */
export const apps = ['portal', 'verifier', 'console'] as const;

/** Production builds of the three clients (turbo caches them: only a change rebuilds); false when a build failed. */
export function buildClients(root: string): boolean {
  const build = spawnSync(
    join(root, 'node_modules', '.bin', 'turbo'),
    ['run', 'build', ...apps.map((a) => `--filter=@yuejuan/${a}`), '--output-logs=errors-only'],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
    },
  );
  return build.status === 0;
}
