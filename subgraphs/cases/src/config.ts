import { z } from 'zod';
import { baseConfigShape, loadConfig, portSetting } from '@yuejuan/runtime';

/** The cases subgraph's settings; the only reader of process.env here. */
export const casesConfigShape = { ...baseConfigShape, PORT: portSetting(4002), CASES_DB: z.string().min(1).default('yuejuan_cases') };
export type CasesConfig = ReturnType<typeof loadCasesConfig>;

/** Reads and validates the cases settings; throws ConfigError naming each bad variable. */
export const loadCasesConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(casesConfigShape, env);
