import { z } from 'zod';
import { metricsConfigShape } from './metrics.ts';
import { lifecycleConfigShape } from './lifecycle.ts';
import { tracingConfigShape } from './tracing-config.ts';

/** A configuration value is missing or wrong: startup stops with a message naming the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`配置错误 / invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const port = z.coerce.number().int().min(0).max(65535);

/** Settings every subgraph shares; each subgraph extends them with its own. */
export const baseConfigShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://'),
  /** The database of the event bus, shared by all subgraphs. */
  EVENTS_DB: z.string().min(1).default('yuejuan_events'),
  /** HMAC key shared by the gateway and the subgraphs for per-request internal tokens. */
  YUEJUAN_INTERNAL_SECRET: z.string().min(32, 'must be at least 32 characters'),
  ...metricsConfigShape,
  ...lifecycleConfigShape,
  ...tracingConfigShape,
};

/** Values of these variables are never echoed, even in a startup error. */
const sensitive = /SECRET|PASSWORD|TOKEN|KEY|URI|HEADERS/i;

/**
 * The only reader of process.env: validates `env` against `shape` once, at startup.
 * Every problem names its variable, so a wrong value is fixed at the first try.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '?');
      const shown =
        env[key] === undefined
          ? 'not set'
          : sensitive.test(key)
            ? 'value hidden'
            : `got ${JSON.stringify(env[key])}`;
      return `${key}: ${issue.message} (${shown})`;
    }),
  );
}

/** Port variable helper: `PORT` of a service with its default. */
export function portSetting(defaultPort: number) {
  return port.default(defaultPort);
}
