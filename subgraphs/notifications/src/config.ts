import { z } from 'zod';
import { baseConfigShape, ConfigError, loadConfig, portSetting } from '@yuejuan/runtime';
import { checkTemplates, smsKinds } from './templates.ts';
import { webhookConfigProblems, webhookConfigShape } from './webhooks/config.ts';

const ms = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true');
const optionalSecret = z.string().min(1).optional();

/** `60:3,3600:10` → [{windowSeconds: 60, max: 3}, …], shortest window first. */
const rateLimits = z
  .string()
  .regex(
    /^(\d+:\d+)(,\d+:\d+)*$|^off$/,
    'must be "seconds:max,seconds:max" (e.g. 60:3,86400:20) or "off"',
  )
  .transform((v) =>
    v === 'off'
      ? []
      : v.split(',').map((p) => {
          const [w, m] = p.split(':').map(Number);
          return { windowSeconds: w!, max: m! };
        }),
  )
  .refine(
    (l) => l.every((r) => r.windowSeconds >= 1 && r.max >= 1),
    'windows and maxima must be at least 1',
  )
  .transform((l) => l.sort((a, b) => a.windowSeconds - b.windowSeconds));

/** Provider template ids per SMS kind (JSON object), e.g. {"LOGIN_CODE":"SMS_1234"}. */
const templateIds = z
  .string()
  .default('{}')
  .transform((v, ctx) => {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (
        parsed &&
        typeof parsed === 'object' &&
        !Array.isArray(parsed) &&
        Object.values(parsed).every((x) => typeof x === 'string')
      )
        return parsed as Record<string, string>;
    } catch {
      /* reported below */
    }
    ctx.addIssue({
      code: 'custom',
      message: 'must be a JSON object of message kind → provider template id',
    });
    return z.NEVER;
  });

/** The notifications subgraph's settings; the only reader of process.env here. */
export const notificationsConfigShape = {
  ...baseConfigShape,
  PORT: portSetting(4004),
  NOTIFICATIONS_DB: z.string().min(1).default('yuejuan_notifications'),
  /** Base URL of identity's internal routes (contacts). */
  IDENTITY_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4001'),
  /** Run the event consumer, the SMS sender and the receipt poller in this process. */
  NOTIFICATIONS_WORKERS: flag(true),
  SMS_PROVIDER: z.enum(['dev', 'aliyun', 'tencent']).default('dev'),
  /** Signature name (签名) registered with the provider; shown as 【name】 before the text. */
  SMS_SIGN_NAME: z.string().min(2).max(20).default('12309中国检察网'),
  SMS_TEMPLATE_IDS: templateIds,
  SMS_RATE_LIMITS: rateLimits.prefault('60:3,3600:10,86400:20'),
  /**
   * Kinds the per-phone limit applies to: the codes anyone can ask for by typing a number (the
   * SMS-bombing vector). Package passwords and decisions are not refused for being frequent.
   */
  SMS_RATE_LIMITED_KINDS: z
    .string()
    .default('LOGIN_CODE,BINDING_PHONE_CODE,PROSECUTOR_LOGIN_CODE')
    .transform((v) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .refine(
      (l) => l.every((k) => (smsKinds as readonly string[]).includes(k)),
      `must be a comma-separated list of SMS kinds (${smsKinds.join(', ')})`,
    ),
  SMS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  SMS_BACKOFF_BASE_MS: ms(10, 2000),
  SMS_BACKOFF_CAP_MS: ms(10, 300_000),
  SMS_LEASE_MS: ms(100, 30_000),
  SMS_PROVIDER_TIMEOUT_MS: ms(50, 10_000),
  /** Safety poll of an idle sender and fan-out (work queued here, and retries, wake them at once). */
  SMS_POLL_MS: ms(10, 30_000),
  SMS_SENDER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  SMS_ALIYUN_ENDPOINT: z.string().url().default('https://dysmsapi.aliyuncs.com/'),
  SMS_ALIYUN_ACCESS_KEY_ID: optionalSecret,
  SMS_ALIYUN_ACCESS_KEY_SECRET: optionalSecret,
  /** Shared secret in the query of Alibaba Cloud's delivery-report push URL (…/receipts/aliyun?token=…). */
  SMS_ALIYUN_RECEIPT_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SMS_TENCENT_ENDPOINT: z.string().url().default('https://sms.tencentcloudapi.com/'),
  SMS_TENCENT_REGION: z.string().min(1).default('ap-guangzhou'),
  SMS_TENCENT_SDK_APP_ID: z.string().min(1).optional(),
  SMS_TENCENT_SECRET_ID: optionalSecret,
  SMS_TENCENT_SECRET_KEY: optionalSecret,
  /** How often Tencent Cloud delivery reports are pulled (PullSmsSendStatus). */
  SMS_TENCENT_RECEIPT_POLL_MS: ms(100, 30_000),
  ...webhookConfigShape,
};

export type NotificationsConfig = ReturnType<typeof loadNotificationsConfig>;

/** Settings that only make sense together (checked after each variable on its own). */
function crossCheck(c: z.infer<z.ZodObject<typeof notificationsConfigShape>>): string[] {
  const problems: string[] = webhookConfigProblems(c);
  if (c.NODE_ENV === 'production' && c.SMS_PROVIDER === 'dev')
    problems.push(
      'SMS_PROVIDER: production refuses the development SMS sink; choose aliyun or tencent (got "dev")',
    );
  if (c.SMS_PROVIDER_TIMEOUT_MS * 2 > c.SMS_LEASE_MS)
    problems.push(
      'SMS_PROVIDER_TIMEOUT_MS: must be at most half of SMS_LEASE_MS, so a slow send ends before its lease does',
    );
  if (c.SMS_BACKOFF_CAP_MS < c.SMS_BACKOFF_BASE_MS)
    problems.push('SMS_BACKOFF_CAP_MS: must not be below SMS_BACKOFF_BASE_MS');
  const need = (keys: (keyof typeof c)[]) => {
    for (const k of keys)
      if (!c[k]) problems.push(`${k}: required when SMS_PROVIDER=${c.SMS_PROVIDER} (not set)`);
  };
  if (c.SMS_PROVIDER === 'aliyun')
    need(['SMS_ALIYUN_ACCESS_KEY_ID', 'SMS_ALIYUN_ACCESS_KEY_SECRET', 'SMS_ALIYUN_RECEIPT_TOKEN']);
  if (c.SMS_PROVIDER === 'tencent')
    need(['SMS_TENCENT_SDK_APP_ID', 'SMS_TENCENT_SECRET_ID', 'SMS_TENCENT_SECRET_KEY']);
  if (c.SMS_PROVIDER !== 'dev') {
    const missing = smsKinds.filter((k) => !c.SMS_TEMPLATE_IDS[k]);
    if (missing.length)
      problems.push(`SMS_TEMPLATE_IDS: no provider template id for ${missing.join(', ')}`);
  }
  const unknown = Object.keys(c.SMS_TEMPLATE_IDS).filter(
    (k) => !(smsKinds as readonly string[]).includes(k),
  );
  if (unknown.length)
    problems.push(`SMS_TEMPLATE_IDS: unknown message kinds ${unknown.join(', ')}`);
  return problems;
}

/**
 * Reads and validates the notifications settings once, with the message templates; throws
 * ConfigError naming each bad variable (production refuses the development SMS sink).
 */
export function loadNotificationsConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(notificationsConfigShape, env);
  const problems = [...crossCheck(config), ...checkTemplates().map((p) => `templates: ${p}`)];
  if (problems.length) throw new ConfigError(problems);
  return config;
}
