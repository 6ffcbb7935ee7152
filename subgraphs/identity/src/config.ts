import { z } from 'zod';
import { ConfigError, baseConfigShape, loadConfig, portSetting } from '@yuejuan/runtime';

const seconds = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const count = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** The identity subgraph's settings; the only reader of process.env here. */
export const identityConfigShape = {
  ...baseConfigShape,
  PORT: portSetting(4001),
  IDENTITY_DB: z.string().min(1).default('yuejuan_identity'),
  /** HMAC key for resident ID numbers; changing it orphans the stored hashes. */
  YUEJUAN_ID_HASH_KEY: z.string().min(32, 'must be at least 32 characters'),
  SESSION_TTL_SECONDS: seconds(60, 86400, 7200),
  /** A session may be renewed until this long after its first login; then the lawyer logs in again. */
  SESSION_MAX_LIFETIME_SECONDS: seconds(60, 30 * 86400, 43200),
  SCAN_VERIFIED_WINDOW_SECONDS: seconds(0, 86400, 1800),

  /** Shown on the QR scan screen of the verifier (what is being logged in to). */
  SITE_NAME: z.string().min(1).max(40).default('12309中国检察网'),
  /** Shown with every activation failure (manual: 400-052-9602). */
  SUPPORT_HOTLINE: z
    .string()
    .regex(/^[0-9][0-9-]{4,19}$/, 'must be a phone number such as 400-052-9602')
    .default('400-052-9602'),
  /** Face check provider: `http` (a real identity-verification service) or `demo` (development only). */
  FACE_PROVIDER: z.enum(['http', 'demo']).default('demo'),
  FACE_HTTP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  FACE_HTTP_APP_ID: z.string().min(1).optional(),
  /** HMAC key of the face service's request signatures. */
  FACE_HTTP_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  FACE_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(10000),
  /** Base URL of the notifications subgraph's internal routes (SMS). */
  NOTIFICATIONS_INTERNAL_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4004'),

  ACTIVATION_TTL_SECONDS: seconds(60, 86400, 1800),
  LOGIN_TICKET_TTL_SECONDS: seconds(1, 600, 120),
  CHALLENGE_TTL_SECONDS: seconds(1, 600, 120),
  /** How long a confirmed step-up stays usable by its session. */
  STEP_UP_FRESH_SECONDS: seconds(1, 3600, 300),
  /** Largest gap between a device signature's signedAt and the server clock. */
  SIGNATURE_WINDOW_SECONDS: seconds(1, 600, 60),

  SMS_CODE_TTL_SECONDS: seconds(30, 3600, 300),
  SMS_RESEND_SECONDS: seconds(1, 3600, 60),
  SMS_DAILY_LIMIT: count(100, 10),
  /** Of a phone's daily codes, how many one source (address and browser) may ask for: a stranger cannot use them all up. */
  SMS_DAILY_LIMIT_PER_SOURCE: count(100, 4),
  SMS_CODE_MAX_ATTEMPTS: count(20, 5),
  PASSWORD_MAX_FAILURES: count(50, 5),
  PASSWORD_LOCK_SECONDS: seconds(1, 86400, 900),
  /** Wrong passwords of one account per day from all sources together; then its password login closes for the day. */
  PASSWORD_ACCOUNT_FAILURES_PER_DAY: count(10000, 50),
  /** argon2id cost of stored passwords (OWASP minimum: 19456 KiB, 2 passes, 1 lane); hashes of other costs are redone at the next login. */
  PASSWORD_HASH_MEMORY_KIB: z.coerce
    .number()
    .int()
    .min(1024)
    .max(4 * 1024 * 1024)
    .default(19456),
  PASSWORD_HASH_TIME_COST: z.coerce.number().int().min(1).max(20).default(2),
  PASSWORD_HASH_PARALLELISM: z.coerce.number().int().min(1).max(16).default(1),

  /** Per-IP limits count requests in fixed windows of this length. */
  RATE_WINDOW_SECONDS: seconds(1, 3600, 60),
  RATE_TICKETS_PER_IP: count(10000, 20),
  RATE_CHALLENGES_PER_IP: count(10000, 20),
  /** Login attempts, SMS code requests, activation starts and ticket redemptions, together. */
  RATE_LOGINS_PER_IP: count(10000, 30),
  /**
   * Activation starts per licence number per day, and for everyone per window: with a name and
   * licence number (both public) an ID number must not be guessable by trying.
   */
  ACTIVATION_STARTS_PER_LICENCE_PER_DAY: count(1000, 10),
  ACTIVATION_STARTS_PER_WINDOW: count(1_000_000, 600),
  /** The face step answers no sooner than this, matched or not, so its timing tells nothing. */
  ACTIVATION_FACE_MIN_MS: z.coerce.number().int().min(0).max(10_000).default(1500),

  /**
   * OAuth 2 / OpenID Connect for integrators: the issuer is the gateway's public address plus
   * `/oauth` (the gateway forwards that path here), so its path must be exactly `/oauth`.
   */
  OAUTH_ISSUER: z
    .url({ protocol: /^https?$/ })
    .refine(
      (v) => new URL(v).pathname === '/oauth',
      'must end in /oauth (the gateway forwards that path)',
    )
    .default('http://127.0.0.1:4000/oauth'),
  /** The portal's consent page (授权确认), where the lawyer approves an application. */
  OAUTH_CONSENT_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000/oauth/consent'),
  /** Life of an access token (a JWT the gateway verifies itself). */
  OAUTH_ACCESS_TOKEN_TTL_SECONDS: seconds(60, 3600, 300),
  /** Life of a refresh token (rotated at every use; a reused one ends its grant). */
  OAUTH_REFRESH_TOKEN_TTL_SECONDS: seconds(3600, 365 * 86400, 30 * 86400),
  /** How long a lawyer's authorisation of an application lasts before they must consent again. */
  OAUTH_GRANT_TTL_SECONDS: seconds(3600, 365 * 86400, 180 * 86400),
  /** How long a replaced client secret keeps working after a rotation, unless the administrator says otherwise. */
  OAUTH_SECRET_OVERLAP_SECONDS: seconds(0, 30 * 86400, 86400),
  /**
   * The token-signing keys, a JWKS of private RSA keys (`{"keys":[…]}`, the first one signs).
   * Unset: a key is generated once and kept in the identity database (development).
   */
  OAUTH_JWKS: z
    .string()
    .optional()
    .refine((v) => v === undefined || isJwks(v), 'must be a JSON Web Key Set of private RSA keys'),
};

function isJwks(value: string): boolean {
  try {
    const set = JSON.parse(value) as { keys?: { kty?: string; d?: string }[] };
    return (
      Array.isArray(set.keys) &&
      set.keys.length > 0 &&
      set.keys.every((k) => k.kty === 'RSA' && !!k.d)
    );
  } catch {
    return false;
  }
}
export type IdentityConfig = ReturnType<typeof loadIdentityConfig>;

/**
 * Reads and validates the identity settings; throws ConfigError naming each bad variable. The
 * demo face check passes anyone, so a production configuration that selects it (or an http
 * provider without its endpoint and keys) does not start.
 */
export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(identityConfigShape, env);
  const problems: string[] = [];
  if (config.FACE_PROVIDER === 'demo' && config.NODE_ENV === 'production') {
    problems.push(
      'FACE_PROVIDER: the demo face check is for development only; set FACE_PROVIDER=http with FACE_HTTP_ENDPOINT, FACE_HTTP_APP_ID and FACE_HTTP_SECRET (got "demo")',
    );
  }
  if (config.FACE_PROVIDER === 'http') {
    for (const key of ['FACE_HTTP_ENDPOINT', 'FACE_HTTP_APP_ID', 'FACE_HTTP_SECRET'] as const) {
      if (!config[key]) problems.push(`${key}: required when FACE_PROVIDER=http (not set)`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}
