import { z } from 'zod';
import { baseConfigShape, loadConfig, portSetting } from '@yuejuan/runtime';

/** The identity subgraph's settings; the only reader of process.env here. */
export const identityConfigShape = {
  ...baseConfigShape,
  PORT: portSetting(4001),
  IDENTITY_DB: z.string().min(1).default('yuejuan_identity'),
  /** HMAC key for resident ID numbers; changing it orphans the stored hashes. */
  YUEJUAN_ID_HASH_KEY: z.string().min(32, 'must be at least 32 characters'),
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(7200),
  SCAN_VERIFIED_WINDOW_SECONDS: z.coerce.number().int().min(0).max(86400).default(1800),
};
export type IdentityConfig = ReturnType<typeof loadIdentityConfig>;

/** Reads and validates the identity settings; throws ConfigError naming each bad variable. */
export const loadIdentityConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(identityConfigShape, env);
