import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A package build works in a private temporary folder (a volume and its stamped copy, hundreds
// of MB). The build removes it when it ends, however it ends; a process that crashes or is
// killed mid-build cannot, so the folder's name carries the owner's process id, and folders
// whose owner is gone are swept (at start-up and when a dead process's job is taken over).
// Two reading processes may share a machine: only folders of dead processes are removed.

const prefix = 'yuejuan-build-';
const ownedName = /^yuejuan-build-(\d+)-[A-Za-z0-9]+$/;

/** Creates this process's build folder under `root` (default: the OS temp folder): `yuejuan-build-<pid>-<random>`. */
export function makeBuildDir(root = tmpdir()): Promise<string> {
  return mkdtemp(join(root, `${prefix}${process.pid}-`));
}

/** Whether a process with this id runs on this machine (one of another user counts: EPERM). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the build folders under `root` whose owner process is dead; answers their names.
 * A folder of a live process (this one, another reading process) is kept. A reused process id
 * only delays a sweep (the folder is kept while the unrelated process lives), never removes a
 * live build's folder.
 */
export async function sweepBuildDirs(
  root = tmpdir(),
  alive: (pid: number) => boolean = processAlive,
): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const owner = ownedName.exec(name)?.[1];
    if (!owner || alive(Number(owner))) continue;
    await rm(join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
