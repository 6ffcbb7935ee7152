import type { IdentityConfig } from '../config.ts';
import { defaultPasswordHashing, type PasswordHashing } from './password.ts';

/** Lifetimes and abuse limits of the identity flows (all configuration; see config.ts). */
export interface IdentityPolicy {
  siteName: string;
  supportHotline: string;
  activationTtlSeconds: number;
  loginTicketTtlSeconds: number;
  challengeTtlSeconds: number;
  stepUpFreshSeconds: number;
  signatureWindowSeconds: number;
  sessionMaxLifetimeSeconds: number;
  sms: {
    codeTtlSeconds: number;
    resendSeconds: number;
    dailyLimit: number;
    dailyLimitPerSource?: number;
    maxAttempts: number;
  };
  password: {
    maxFailures: number;
    lockSeconds: number;
    accountFailuresPerDay?: number;
    hashing: PasswordHashing;
  };
  rate: {
    windowSeconds: number;
    ticketsPerIp: number;
    challengesPerIp: number;
    loginsPerIp: number;
  };
  activation: { startsPerLicencePerDay: number; startsPerWindow: number; faceMinMs: number };
}

/** The defaults of config.ts, for callers without a configuration (the import CLI). */
export const defaultPolicy: IdentityPolicy = {
  siteName: '12309中国检察网',
  supportHotline: '400-052-9602',
  activationTtlSeconds: 1800,
  loginTicketTtlSeconds: 120,
  challengeTtlSeconds: 120,
  stepUpFreshSeconds: 300,
  signatureWindowSeconds: 60,
  sessionMaxLifetimeSeconds: 43200,
  sms: { codeTtlSeconds: 300, resendSeconds: 60, dailyLimit: 10, maxAttempts: 5 },
  password: { maxFailures: 5, lockSeconds: 900, hashing: defaultPasswordHashing },
  rate: { windowSeconds: 60, ticketsPerIp: 20, challengesPerIp: 20, loginsPerIp: 30 },
  activation: { startsPerLicencePerDay: 10, startsPerWindow: 600, faceMinMs: 1500 },
};

/** The policy of a validated configuration. */
export function policyFromConfig(c: IdentityConfig): IdentityPolicy {
  return {
    siteName: c.SITE_NAME,
    supportHotline: c.SUPPORT_HOTLINE,
    activationTtlSeconds: c.ACTIVATION_TTL_SECONDS,
    loginTicketTtlSeconds: c.LOGIN_TICKET_TTL_SECONDS,
    challengeTtlSeconds: c.CHALLENGE_TTL_SECONDS,
    stepUpFreshSeconds: c.STEP_UP_FRESH_SECONDS,
    signatureWindowSeconds: c.SIGNATURE_WINDOW_SECONDS,
    sessionMaxLifetimeSeconds: c.SESSION_MAX_LIFETIME_SECONDS,
    sms: {
      codeTtlSeconds: c.SMS_CODE_TTL_SECONDS,
      resendSeconds: c.SMS_RESEND_SECONDS,
      dailyLimit: c.SMS_DAILY_LIMIT,
      dailyLimitPerSource: c.SMS_DAILY_LIMIT_PER_SOURCE,
      maxAttempts: c.SMS_CODE_MAX_ATTEMPTS,
    },
    password: {
      maxFailures: c.PASSWORD_MAX_FAILURES,
      lockSeconds: c.PASSWORD_LOCK_SECONDS,
      accountFailuresPerDay: c.PASSWORD_ACCOUNT_FAILURES_PER_DAY,
      hashing: {
        memoryKiB: c.PASSWORD_HASH_MEMORY_KIB,
        timeCost: c.PASSWORD_HASH_TIME_COST,
        parallelism: c.PASSWORD_HASH_PARALLELISM,
      },
    },
    rate: {
      windowSeconds: c.RATE_WINDOW_SECONDS,
      ticketsPerIp: c.RATE_TICKETS_PER_IP,
      challengesPerIp: c.RATE_CHALLENGES_PER_IP,
      loginsPerIp: c.RATE_LOGINS_PER_IP,
    },
    activation: {
      startsPerLicencePerDay: c.ACTIVATION_STARTS_PER_LICENCE_PER_DAY,
      startsPerWindow: c.ACTIVATION_STARTS_PER_WINDOW,
      faceMinMs: c.ACTIVATION_FACE_MIN_MS,
    },
  };
}
