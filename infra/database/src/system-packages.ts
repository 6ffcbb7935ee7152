import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A Debian package the stack needs, and how to tell it is there. */
export interface SystemPackage {
  /** The apt package name. */
  name: string;
  /** An absolute file it installs, or a command found on PATH. */
  provides: string;
  /** What it is for (in the messages). */
  purpose: string;
  /** Overrides `provides` where the file's path varies (e.g. with the package's major version). */
  present?: () => boolean;
}

const present = (p: SystemPackage) =>
  p.present
    ? p.present()
    : p.provides.startsWith('/')
      ? existsSync(p.provides)
      : (process.env.PATH ?? '')
          .split(delimiter)
          .some((dir) => dir && existsSync(join(dir, p.provides)));

/**
 * Installs the Debian packages among `packages` that are missing (`apt-get update`, then one
 * `apt-get install`); nothing runs when all are there. Needs root, as on CI and the development
 * machines; otherwise says which command to run.
 */
export async function ensureSystemPackages(
  packages: SystemPackage[],
  say: (line: string) => void,
): Promise<void> {
  const missing = packages.filter((p) => !present(p));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  if (process.getuid?.() !== 0) {
    throw new Error(
      `缺少系统软件包（${missing.map((p) => `${p.name}：${p.purpose}`).join('；')}）：请运行 sudo apt-get install -y ${names.join(' ')}`,
    );
  }
  say(`安装系统软件包 ${names.join(' ')} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...names]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} 失败 (${r.status})`);
  }
}
