import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/**
 * Absolute path of the monorepo root: the nearest ancestor of this file whose
 * package.json declares "workspaces". Resolved from the file, not from cwd, so it
 * works no matter where tests or scripts are launched from.
 */
export function repoRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && hasWorkspaces(pkg)) return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`No package.json with "workspaces" above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function hasWorkspaces(pkgPath: string): boolean {
  try {
    const pkg: unknown = JSON.parse(readFileSync(pkgPath, 'utf8'));
    return typeof pkg === 'object' && pkg !== null && 'workspaces' in pkg;
  } catch {
    return false; // a broken package.json somewhere up the tree is not ours to judge
  }
}

/** Default home of locally built tools (git-ignored). */
export function defaultToolsDir(): string {
  return join(repoRoot(), '.tools');
}

/** Default FerretDB data directory (git-ignored). */
export function defaultDataDir(): string {
  return join(repoRoot(), '.data', 'ferretdb');
}
