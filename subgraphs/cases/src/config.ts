import { z } from 'zod';
import { baseConfigShape, loadConfig, portSetting } from '@yuejuan/runtime';
import { blobConfigShape } from '@yuejuan/runtime/storage';

/** The cases subgraph's settings; the only reader of process.env here. */
export const casesConfigShape = {
  ...baseConfigShape,
  ...blobConfigShape,
  PORT: portSetting(4002),
  CASES_DB: z.string().min(1).default('yuejuan_cases'),
  /** Largest binding attachment accepted (bytes). */
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
};
export type CasesConfig = ReturnType<typeof loadCasesConfig>;

/** Reads and validates the cases settings; throws ConfigError naming each bad variable. */
export const loadCasesConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfig(casesConfigShape, env);
