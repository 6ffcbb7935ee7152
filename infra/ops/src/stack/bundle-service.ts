// Bundles a service's TypeScript entry (and the workspace packages it imports) into one plain
// ES module, so that the long-running process starts with `node <bundle>` instead of
// `node --import tsx <entry>`. Measured on the reading subgraph: the tsx loader keeps the
// compiled source of every module and its own machinery resident (see the reading bench's
// idle-memory.ts); the bundle runs the same code with less memory and a faster start.
//
// Third-party packages stay external (loaded from node_modules as before: native addons,
// dynamic requires and package assets keep working); only workspace sources (@yuejuan/*, the
// entry's own files) are compiled in. `import.meta.url` in a bundled file is replaced by that
// file's original URL, so files found relative to their source (schema SDL, a child's entry,
// fonts via createRequire) are found as under tsx.
//
//   npx tsx subgraphs/runtime/scripts/bundle-service.ts subgraphs/reading/src/index.ts
//   → writes subgraphs/reading/dist/index.mjs and prints its path; run it with `node <path>`.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * Node flags of the subgraph processes: V8's young generation capped at 4 MB per semi-space
 * (default up to 16): the subgraphs wait on the database far more than they allocate, and the
 * reading subgraph's peak while building and serving 1 GB packages stays well under 200 MB
 * (its benchmark, subgraphs/reading/bench/package.ts). The gateway keeps V8's default.
 */
export const subgraphNodeFlags = ['--max-semi-space-size=4'];

/** Where the bundle of `entry` goes by default: `<package>/dist/<entry name>.mjs` (dist/ is git-ignored; node_modules resolve from there as from src/). */
export function defaultBundlePath(entry: string): string {
  const abs = resolve(entry);
  return join(dirname(dirname(abs)), 'dist', `${basename(abs, extname(abs))}.mjs`);
}

const inNodeModules = (path: string) => /[\\/]node_modules[\\/]/.test(path);

/** Keeps node_modules external and compiles workspace sources in, with their own import.meta.url. */
const workspaceOnly: Plugin = {
  name: 'workspace-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData?.inner || args.path.startsWith('node:')) return undefined;
      const found = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { inner: true },
      });
      if (found.errors.length > 0) return { errors: found.errors };
      return inNodeModules(found.path) ? { path: args.path, external: true } : found;
    });
    b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
      if (inNodeModules(args.path)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const url = pathToFileURL(args.path).href;
      const contents = source
        .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
        .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path)))
        .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path));
      const ext = extname(args.path).slice(1);
      const loader =
        ext.startsWith('t') || ext.endsWith('ts')
          ? ext.endsWith('x')
            ? 'tsx'
            : 'ts'
          : ext.endsWith('x')
            ? 'jsx'
            : 'js';
      return { contents, loader, resolveDir: dirname(args.path) };
    });
  },
};

/**
 * Bundles `entry` (a service's src/index.ts) to `outfile` (default `defaultBundlePath(entry)`)
 * and answers the bundle's absolute path. Takes about a second; run it before starting the
 * process (e.g. in the launcher), and start `node <bundle>` with the same cwd and env as before.
 * Each output file is written under a temporary name and renamed, so two launchers bundling
 * the same service at once (npm start while tests run) never start a half-written file.
 */
export async function bundleService(
  entry: string,
  outfile = defaultBundlePath(entry),
): Promise<string> {
  const result = await build({
    entryPoints: [resolve(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'linked', // a .map beside the bundle: stack traces map with --enable-source-maps, no cost without
    logLevel: 'warning',
    plugins: [workspaceOnly],
    write: false,
  });
  await mkdir(dirname(outfile), { recursive: true });
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, file.contents);
    await rename(temporary, file.path);
  }
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const [entry, out] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: bundle-service.ts <entry.ts> [outfile.mjs]\n');
    process.exit(2);
  }
  process.stdout.write(`${await bundleService(entry, out)}\n`);
}
