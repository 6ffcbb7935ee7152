// The part of `npm start` / `npm test` that runs before any dependency exists: checks Node,
// installs the npm dependencies when they are missing or stale (lock file changed), then
// hands over to the TypeScript entry point. Plain JavaScript, no imports beyond Node's own.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Stops with one clear line when Node is too old for the project. */
export function checkNode() {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 20) {
    console.error(
      `需要 Node.js 20 或更高版本（当前 ${process.versions.node}）。Node.js 20+ is required.`,
    );
    process.exit(1);
  }
}

/**
 * Runs `npm ci` when node_modules is missing or older than the lock file. npm writes
 * node_modules/.package-lock.json on every install, so its time says which lock it installed.
 */
export function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('[yuejuan] 正在安装依赖 (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('[yuejuan] npm ci 失败，请检查网络或 npm 日志。');
    process.exit(result.status ?? 1);
  }
}

/** Runs a TypeScript entry point with tsx, forwarding signals and the exit code. */
export function runTs(entry, args = [], env = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry), ...args], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      APOLLO_TELEMETRY_DISABLED: 'true',
      TURBO_TELEMETRY_DISABLED: '1',
      DO_NOT_TRACK: '1',
      ...env,
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
