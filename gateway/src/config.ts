import { z } from 'zod';
import { loadConfig, portSetting } from '@yuejuan/runtime';
import { supergraphPath } from '@yuejuan/schema';

const url = z.url({ protocol: /^https?$/ }).optional();

/** The gateway's settings; the only reader of process.env here. */
export const gatewayConfigShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: portSetting(4000),
  YUEJUAN_INTERNAL_SECRET: z.string().min(32, 'must be at least 32 characters'),
  SUPERGRAPH_PATH: z.string().default(supergraphPath),
  /** Where each subgraph listens, when not where the committed supergraph says. */
  IDENTITY_URL: url,
  CASES_URL: url,
  READING_URL: url,
  NOTIFICATIONS_URL: url,
  /** Longest wait for one subgraph request. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** The GraphQL explorer: on in development, off in production unless set to true. */
  YUEJUAN_EXPLORER: z.enum(['true', 'false']).optional(),
};
export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

/** Reads and validates the gateway settings; throws ConfigError naming each bad variable. */
export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(gatewayConfigShape, env);

/** Subgraph URL overrides by subgraph name. */
export function subgraphUrlOverrides(config: GatewayConfig): Record<string, string | undefined> {
  return { identity: config.IDENTITY_URL, cases: config.CASES_URL, reading: config.READING_URL, notifications: config.NOTIFICATIONS_URL };
}

/** Whether the explorer is served. */
export const explorerEnabled = (config: GatewayConfig): boolean =>
  config.YUEJUAN_EXPLORER ? config.YUEJUAN_EXPLORER === 'true' : config.NODE_ENV !== 'production';
