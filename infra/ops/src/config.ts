import { baseConfigShape, loadConfig } from '@yuejuan/runtime';
import { identityConfigShape } from '@yuejuan/identity/config';
import { casesConfigShape } from '@yuejuan/cases/config';

// The subgraphs' own loaders also demand YUEJUAN_INTERNAL_SECRET and a port, which a one-off
// import has no use for; so the import takes just the pieces it needs from their shapes.
const databases = {
  MONGODB_URI: baseConfigShape.MONGODB_URI,
  IDENTITY_DB: identityConfigShape.IDENTITY_DB,
  CASES_DB: casesConfigShape.CASES_DB,
};

/** The import's settings: the hash key is required only for lawyer rows, which hash ID numbers. */
export function loadImportConfig(needsIdHashKey: boolean, env: NodeJS.ProcessEnv = process.env) {
  const key = identityConfigShape.YUEJUAN_ID_HASH_KEY;
  return loadConfig(
    { ...databases, YUEJUAN_ID_HASH_KEY: needsIdHashKey ? key : key.optional() },
    env,
  );
}
export type ImportConfig = ReturnType<typeof loadImportConfig>;
