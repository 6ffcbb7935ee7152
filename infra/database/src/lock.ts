import { open, readFile, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `fn` while holding an exclusive lock file. Needed because turbo runs several
 * packages' tests in parallel on a fresh clone, and each may try to build FerretDB;
 * without the lock they would clobber the same source copy.
 *
 * The lock stores the holder's pid so a lock left by a killed process is detected
 * and taken over instead of blocking forever.
 */
export async function withFileLock<T>(
  file: string,
  fn: () => Promise<T>,
  opts: { timeoutMs: number; onWait?: (holderPid: number) => void },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fh = await open(file, 'wx');
      try {
        await fh.writeFile(String(process.pid));
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readHolder(file);
    if (holder === 'stale') {
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for lock ${file} (held by pid ${holder})`);
    if (!announced && holder > 0) {
      opts.onWait?.(holder);
      announced = true;
    }
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}

/** Pid of the live holder, 0 when unknown but fresh, or 'stale' when it can be taken over. */
async function readHolder(file: string): Promise<number | 'stale'> {
  let content: string;
  let mtimeMs: number;
  try {
    [content, { mtimeMs }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
  } catch {
    return 0; // vanished between open and read: just retry
  }
  const pid = Number.parseInt(content, 10);
  // An empty file is a holder caught between create and write; only stale if old.
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - mtimeMs > 10_000 ? 'stale' : 0;
  return isAlive(pid) ? pid : 'stale';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
