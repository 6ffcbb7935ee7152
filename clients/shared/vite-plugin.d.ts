import type { Plugin } from 'vite';
/** Where the manifest lives in the repository. */
export const manifestPath: string;
/** Operation name → hash of a manifest (sha256 → printed document). */
export function hashesByName(manifest: Record<string, string>): Record<string, string>;
/** In `vite build`, defines `__YUEJUAN_PERSISTED__` (operation name → sha256); in dev, nothing. */
export function persistedOperations(options?: { path?: string }): Plugin;
