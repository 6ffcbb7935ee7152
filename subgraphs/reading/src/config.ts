import { z } from 'zod';
import { baseConfigShape, loadConfig, portSetting } from '@yuejuan/runtime';

/** The reading subgraph's settings; the only reader of process.env here. */
export const readingConfigShape = { ...baseConfigShape, PORT: portSetting(4003), READING_DB: z.string().min(1).default('yuejuan_reading') };
export type ReadingConfig = ReturnType<typeof loadReadingConfig>;

/** Reads and validates the reading settings; throws ConfigError naming each bad variable. */
export const loadReadingConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(readingConfigShape, env);
