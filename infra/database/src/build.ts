import {
  chmod,
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GoMissingError } from './errors.ts';
import { applyPatches, PATCH_STAMP } from './patches.ts';
import { run, tail } from './exec.ts';
import { withFileLock } from './lock.ts';
import { defaultToolsDir } from './paths.ts';

export const FERRETDB_VERSION = 'v1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';

export interface EnsureOptions {
  /** Where `bin/ferretdb` and `src/ferretdb` live; default `<repo>/.tools`. */
  toolsDir?: string;
  /** Progress messages (the build takes about a minute). */
  log?: (line: string) => void;
  /** Environment used to find and run `go`; default process.env. */
  env?: NodeJS.ProcessEnv;
}

// One build per tools dir per process, however many callers ask at once.
const inFlight = new Map<string, Promise<string>>();

/**
 * Path to a working FerretDB v1.24.2 binary in `<toolsDir>/bin/ferretdb`, building it
 * from the module source when it is missing or broken.
 * @throws GoMissingError when a build is needed and `go` is not on PATH.
 */
export function ensureFerretDB(opts: EnsureOptions = {}): Promise<string> {
  const toolsDir = resolve(opts.toolsDir ?? defaultToolsDir());
  let p = inFlight.get(toolsDir);
  if (!p) {
    p = ensure(toolsDir, opts).finally(() => inFlight.delete(toolsDir));
    inFlight.set(toolsDir, p);
  }
  return p;
}

async function ensure(toolsDir: string, opts: EnsureOptions): Promise<string> {
  const bin = join(toolsDir, 'bin', 'ferretdb');
  if (await isWorking(bin)) return bin;

  const env = { ...(opts.env ?? process.env), GOWORK: 'off' }; // a go.work up the tree must not interfere
  const log = opts.log ?? (() => {});
  await requireGo(env);

  await mkdir(join(toolsDir, 'bin'), { recursive: true });
  await withFileLock(
    join(toolsDir, 'ferretdb-build.lock'),
    async () => {
      // Another process may have finished the build while we waited for the lock.
      if (await isWorking(bin)) return;
      await build(toolsDir, bin, env, log);
    },
    {
      timeoutMs: 10 * 60_000,
      onWait: (pid) => log(`Waiting for FerretDB build in process ${pid}...`),
    },
  );
  return bin;
}

/**
 * True when `bin` runs, reports the expected version (a `go install` build panics here) and was
 * built with our patches (its stamp file names them; a binary without it is rebuilt once).
 */
async function isWorking(bin: string): Promise<boolean> {
  try {
    if ((await readFile(`${bin}.patches`, 'utf8').catch(() => '')).trim() !== PATCH_STAMP)
      return false;
    const r = await run(bin, ['--version'], { timeoutMs: 15_000 });
    return r.code === 0 && r.stdout.includes(`version: ${FERRETDB_VERSION}`);
  } catch {
    return false; // missing or not executable
  }
}

async function requireGo(env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run('go', ['version'], { env, timeoutMs: 30_000 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new GoMissingError();
    throw err;
  }
}

/**
 * Builds from a copy of the module source rather than `go install`: the module zip
 * lacks build/version/version.txt content, and FerretDB panics at start without it. The copy
 * also gets our patches (patches.ts: `_id` lookups served by the `_id` index).
 */
async function build(
  toolsDir: string,
  bin: string,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
) {
  log(`Building FerretDB ${FERRETDB_VERSION} into ${bin} (one-time, about a minute)...`);
  const started = Date.now();

  const dl = await run('go', ['mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`], {
    cwd: toolsDir,
    env,
  });
  const moduleDir = parseModuleDir(dl.stdout);
  if (dl.code !== 0 || !moduleDir) {
    throw new Error(
      `go mod download ${MODULE}@${FERRETDB_VERSION} failed:\n${tail(dl.stdout + dl.stderr, 20)}`,
    );
  }

  const src = join(toolsDir, 'src', 'ferretdb');
  await removeTree(src);
  await cp(moduleDir, src, { recursive: true });
  await makeWritable(src); // the module cache is read-only, and we must edit version.txt
  await writeFile(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
  await applyPatches(src);

  // Build to a temporary name and rename, so nobody ever runs a half-written binary.
  const tmp = `${bin}.tmp-${process.pid}`;
  const gb = await run('go', ['build', '-trimpath', '-o', tmp, './cmd/ferretdb'], {
    cwd: src,
    env,
  });
  if (gb.code !== 0) {
    await rm(tmp, { force: true });
    throw new Error(`go build of FerretDB failed:\n${tail(gb.stdout + gb.stderr, 30)}`);
  }
  await rename(tmp, bin);
  await writeFile(`${bin}.patches`, `${PATCH_STAMP}\n`);
  if (!(await isWorking(bin)))
    throw new Error(`Built ${bin} but it does not report ${FERRETDB_VERSION}`);
  log(`Built FerretDB ${FERRETDB_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
}

function parseModuleDir(stdout: string): string | undefined {
  try {
    const info = JSON.parse(stdout) as { Dir?: unknown; Error?: unknown };
    return typeof info.Dir === 'string' && !info.Error ? info.Dir : undefined;
  } catch {
    return undefined;
  }
}

async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch {
    // A copy interrupted before makeWritable has read-only dirs that block deletion.
    await makeWritable(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

/** `chmod -R u+w` (keeps the other mode bits), without depending on a shell. */
async function makeWritable(path: string): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  await chmod(path, st.mode | 0o200);
  if (!st.isDirectory()) return;
  for (const name of await readdir(path)) await makeWritable(join(path, name));
}
