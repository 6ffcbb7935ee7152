// The Vite plugin giving a production build of an app the persisted operations' hashes:
// operation name → sha256 of clients/operations/persisted-operations.json, as the global
// __YUEJUAN_PERSISTED__ (read by src/persisted.ts). The apps' `build` scripts run
// the extraction (@yuejuan/operations) first, so the manifest is fresh from the same sources;
// a gateway test fails when the committed manifest is not. Plain JavaScript: vite.config.ts
// loads it through Node without a TypeScript loader.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the manifest lives in the repository. */
export const manifestPath = fileURLToPath(
  new URL('../operations/persisted-operations.json', import.meta.url),
);

/**
 * Operation name → hash of a manifest (sha256 → printed document).
 * @param {Record<string, string>} manifest
 * @returns {Record<string, string>}
 */
export function hashesByName(manifest) {
  /** @type {Record<string, string>} */
  const byName = {};
  for (const [hash, document] of Object.entries(manifest)) {
    const name = /^(?:query|mutation|subscription)\s+(\w+)/.exec(document)?.[1];
    if (!name)
      throw new Error(`persisted-operations.json: entry ${hash.slice(0, 16)}… names no operation`);
    if (byName[name]) throw new Error(`persisted-operations.json: operation ${name} appears twice`);
    byName[name] = hash;
  }
  return byName;
}

/**
 * The plugin: in `vite build`, defines the map (failing the build when the manifest is
 * missing); in `vite dev`, defines nothing, so operations go as text.
 * @param {{ path?: string }} [options]
 * @returns {import('vite').Plugin}
 */
export function persistedOperations(options = {}) {
  const path = options.path ?? manifestPath;
  return {
    name: 'yuejuan-persisted-operations',
    config(_config, { command }) {
      if (command !== 'build') return {};
      if (!existsSync(path))
        throw new Error(`${path} is missing: run npm run extract -w @yuejuan/operations`);
      const hashes = hashesByName(JSON.parse(readFileSync(path, 'utf8')));
      return { define: { __YUEJUAN_PERSISTED__: JSON.stringify(hashes) } };
    },
  };
}
