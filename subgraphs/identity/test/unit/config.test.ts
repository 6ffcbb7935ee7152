import { describe, expect, it } from 'vitest';
import { ConfigError } from '@yuejuan/runtime';
import { loadIdentityConfig } from '../../src/config.ts';
import { faceProviderFor } from '../../src/server.ts';

const base = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017',
  YUEJUAN_INTERNAL_SECRET: 'i'.repeat(32),
  YUEJUAN_ID_HASH_KEY: 'k'.repeat(32),
};
const problems = (env: Record<string, string>) => {
  try {
    loadIdentityConfig({ ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  return '';
};

describe('identity configuration', () => {
  it("defaults to the manual's hotline, a 120 s ticket, the issue's limits and the demo face check in development", () => {
    const config = loadIdentityConfig(base);
    expect(config).toMatchObject({
      SUPPORT_HOTLINE: '400-052-9602',
      LOGIN_TICKET_TTL_SECONDS: 120,
      SMS_RESEND_SECONDS: 60,
      SMS_DAILY_LIMIT: 10,
      SMS_CODE_MAX_ATTEMPTS: 5,
      SMS_CODE_TTL_SECONDS: 300,
      PASSWORD_MAX_FAILURES: 5,
      PASSWORD_LOCK_SECONDS: 900,
      PASSWORD_HASH_MEMORY_KIB: 19456,
      PASSWORD_HASH_TIME_COST: 2,
      PASSWORD_HASH_PARALLELISM: 1,
      FACE_PROVIDER: 'demo',
      NOTIFICATIONS_INTERNAL_URL: 'http://127.0.0.1:4004',
    });
    expect(faceProviderFor(config).kind).toBe('demo');
  });

  it('refuses to start production with the demo face check', () => {
    expect(problems({ NODE_ENV: 'production' })).toMatch(
      /^FACE_PROVIDER: the demo face check is for development only/,
    );
    expect(problems({ NODE_ENV: 'production', FACE_PROVIDER: 'demo' })).toMatch(/FACE_PROVIDER/);
  });

  it('needs the endpoint and keys of an http face provider, and never echoes the secret', () => {
    const missing = problems({ NODE_ENV: 'production', FACE_PROVIDER: 'http' });
    expect(missing).toContain('FACE_HTTP_ENDPOINT: required when FACE_PROVIDER=http');
    expect(missing).toContain('FACE_HTTP_APP_ID: required');
    expect(missing).toContain('FACE_HTTP_SECRET: required');
    expect(
      problems({
        FACE_PROVIDER: 'http',
        FACE_HTTP_ENDPOINT: 'ftp://x',
        FACE_HTTP_APP_ID: 'a',
        FACE_HTTP_SECRET: 'short-secret',
      }),
    ).not.toContain('short-secret');
    const config = loadIdentityConfig({
      ...base,
      NODE_ENV: 'production',
      FACE_PROVIDER: 'http',
      FACE_HTTP_ENDPOINT: 'https://face.example.cn/verify',
      FACE_HTTP_APP_ID: 'a',
      FACE_HTTP_SECRET: 's'.repeat(16),
    });
    expect(faceProviderFor(config).kind).toBe('http');
  });

  it('validates the hotline and the limits, naming the variable', () => {
    expect(problems({ SUPPORT_HOTLINE: 'call us' })).toMatch(/^SUPPORT_HOTLINE: /);
    expect(problems({ SMS_DAILY_LIMIT: '0' })).toMatch(/^SMS_DAILY_LIMIT: /);
    expect(problems({ PASSWORD_HASH_MEMORY_KIB: '64' })).toMatch(/^PASSWORD_HASH_MEMORY_KIB: /);
    expect(problems({ PASSWORD_HASH_TIME_COST: '0' })).toMatch(/^PASSWORD_HASH_TIME_COST: /);
    expect(problems({ LOGIN_TICKET_TTL_SECONDS: '3600' })).toMatch(/^LOGIN_TICKET_TTL_SECONDS: /);
    expect(problems({ NOTIFICATIONS_INTERNAL_URL: 'not a url' })).toMatch(
      /^NOTIFICATIONS_INTERNAL_URL: /,
    );
    expect(problems({ SUPPORT_HOTLINE: '95000-123' })).toBe('');
  });
});
