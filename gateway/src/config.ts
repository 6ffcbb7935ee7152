import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  lifecycleConfigShape,
  loadConfig,
  metricsConfigShape,
  portSetting,
  tracingConfigShape,
} from '@yuejuan/platform';
import { supergraphPath } from '@yuejuan/schema';
import { parseAllowedOrigins } from './ws-policy.ts';

const url = z.url({ protocol: /^https?$/ }).optional();
const flag = z.enum(['true', 'false']).optional();
const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const validOrigins = (list: string) => {
  try {
    parseAllowedOrigins(list);
    return true;
  } catch {
    return false;
  }
};

/**
 * Where the clients' extraction (@yuejuan/operations) writes the manifest in this repository;
 * a deployment points PERSISTED_OPERATIONS_PATH at the manifest shipped with its client builds.
 */
export const defaultManifestPath = fileURLToPath(
  new URL('../../clients/operations/persisted-operations.json', import.meta.url),
);

/** The gateway's settings; the only reader of process.env here. */
export const gatewayConfigShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: portSetting(4000),
  ...metricsConfigShape,
  ...lifecycleConfigShape,
  ...tracingConfigShape,
  YUEJUAN_INTERNAL_SECRET: z.string().min(32, 'must be at least 32 characters'),
  SUPERGRAPH_PATH: z.string().default(supergraphPath),
  /** Re-read SUPERGRAPH_PATH every this many ms (0: only on SIGHUP). */
  SUPERGRAPH_POLL_MS: count(0, 3_600_000, 0),
  /** Where each subgraph listens, when not where the committed supergraph says. */
  IDENTITY_URL: url,
  CASES_URL: url,
  READING_URL: url,
  NOTIFICATIONS_URL: url,
  /** Longest wait for one subgraph request. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** The GraphQL explorer: on in development, off in production unless set to true. */
  YUEJUAN_EXPLORER: flag,
  /** Only operations of the persisted manifest (by hash): on in production unless set to false. */
  YUEJUAN_PERSISTED_ONLY: flag,
  PERSISTED_OPERATIONS_PATH: z.string().default(defaultManifestPath),
  /**
   * Addresses of the reverse proxies in front (the clients' servers, a load balancer), comma-
   * separated IPs. Only a request from one of them has its X-Forwarded-For read; by default
   * none, and the client is the socket's peer.
   */
  YUEJUAN_TRUSTED_PROXIES: z
    .string()
    .default('')
    .refine(
      (v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .every((s) => isIP(s) !== 0),
      'must be comma-separated IP addresses',
    ),
  /**
   * When set, a trusted proxy must also present it in `x-yuejuan-proxy` (the clients' servers
   * do): on one machine the browsers share the proxies' loopback address.
   */
  YUEJUAN_PROXY_SECRET: z.string().min(32).optional(),
  /** Operation limits (graphql-js parser tokens; graphql-armor depth, aliases, directives, cost). */
  GRAPHQL_MAX_TOKENS: count(100, 100_000, 3000),
  GRAPHQL_MAX_DEPTH: count(2, 100, 10),
  GRAPHQL_MAX_ALIASES: count(0, 1000, 15),
  GRAPHQL_MAX_DIRECTIVES: count(0, 1000, 10),
  GRAPHQL_MAX_COST: count(10, 10_000_000, 20_000),
  /** WebSocket: browser origins allowed to connect (comma-separated, e.g. https://yuejuan.example.cn). */
  YUEJUAN_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .refine(validOrigins, 'must be comma-separated origins like https://host[:port]'),
  WS_CONNECTION_INIT_TIMEOUT_MS: count(500, 60_000, 5000),
  WS_MAX_PAYLOAD_BYTES: count(1024, 1024 * 1024, 64 * 1024),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: count(1, 1000, 20),
  /** How often a socket's session is checked again: a revoked session loses it within this. */
  WS_SESSION_RECHECK_MS: count(1000, 60_000, 30_000),
  /**
   * Gateway instances sharing the traffic (HAProxy round robin): each enforces 1/N of an
   * application's rateLimitPerMinute (ADR 0012).
   */
  GATEWAY_REPLICAS: count(1, 64, 1),
  /** The window of applications' per-minute limits, in ms (60000; tests shorten it). */
  APP_RATE_LIMIT_WINDOW_MS: count(1000, 3_600_000, 60_000),
};
export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

/** Reads and validates the gateway settings; throws ConfigError naming each bad variable. */
export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfig(gatewayConfigShape, env);

/** Subgraph URL overrides by subgraph name. */
export function subgraphUrlOverrides(config: GatewayConfig): Record<string, string | undefined> {
  return {
    identity: config.IDENTITY_URL,
    cases: config.CASES_URL,
    reading: config.READING_URL,
    notifications: config.NOTIFICATIONS_URL,
  };
}

const production = (config: GatewayConfig) => config.NODE_ENV === 'production';

/** Whether the explorer is served. */
export const explorerEnabled = (config: GatewayConfig): boolean =>
  config.YUEJUAN_EXPLORER ? config.YUEJUAN_EXPLORER === 'true' : !production(config);

/** Whether only operations of the persisted manifest are accepted. */
export const persistedOnly = (config: GatewayConfig): boolean =>
  config.YUEJUAN_PERSISTED_ONLY ? config.YUEJUAN_PERSISTED_ONLY === 'true' : production(config);

/**
 * Whether operations written by hand (not in the manifest) run: always unless persisted-only,
 * and then only where YUEJUAN_EXPLORER=true is set explicitly (an integrators' gateway).
 */
export const freeTextAllowed = (config: GatewayConfig): boolean =>
  !persistedOnly(config) || config.YUEJUAN_EXPLORER === 'true';
