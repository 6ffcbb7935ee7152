import { describe, expect, it } from 'vitest';
import { ConfigError } from '@yuejuan/runtime';
import { loadNotificationsConfig } from '../../src/config.ts';
import {
  checkSmsVariables,
  checkTemplates,
  templates,
  type Template,
} from '../../src/templates.ts';
import { aliyunEnv, tencentEnv } from '../fixtures.ts';

const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017', YUEJUAN_INTERNAL_SECRET: 'x'.repeat(32) };
const problems = (env: Record<string, string>) => {
  try {
    loadNotificationsConfig({ ...base, ...env });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
};

describe('notifications configuration', () => {
  it('defaults to the development sink outside production, with the 12309 signature and rate limits', () => {
    const config = loadNotificationsConfig(base);
    expect(config).toMatchObject({
      SMS_PROVIDER: 'dev',
      SMS_SIGN_NAME: '12309中国检察网',
      IDENTITY_INTERNAL_URL: 'http://127.0.0.1:4001',
      NOTIFICATIONS_WORKERS: true,
    });
    expect(config.SMS_RATE_LIMITS).toEqual([
      { windowSeconds: 60, max: 3 },
      { windowSeconds: 3600, max: 10 },
      { windowSeconds: 86400, max: 20 },
    ]);
  });

  it('production refuses the development sink', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^SMS_PROVIDER: production refuses the development SMS sink/),
    ]);
    expect(
      problems({ NODE_ENV: 'production', ...tencentEnv('https://sms.tencentcloudapi.com/') }),
    ).toEqual([]);
  });

  it('a real provider needs its keys and a template id for every SMS kind; secrets are never echoed', () => {
    const found = problems({
      SMS_PROVIDER: 'aliyun',
      SMS_ALIYUN_ACCESS_KEY_SECRET: 'very-secret-value',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SMS_ALIYUN_ACCESS_KEY_ID: required when SMS_PROVIDER=aliyun/),
        expect.stringMatching(/^SMS_ALIYUN_RECEIPT_TOKEN: required/),
        expect.stringMatching(/^SMS_TEMPLATE_IDS: no provider template id for .*LOGIN_CODE/),
      ]),
    );
    expect(found.join('\n')).not.toContain('very-secret-value');
    expect(problems(aliyunEnv('https://dysmsapi.aliyuncs.com/'))).toEqual([]);
    expect(problems({ SMS_TEMPLATE_IDS: '{"NOT_A_KIND":"SMS_1"}' })).toEqual([
      expect.stringMatching(/^SMS_TEMPLATE_IDS: unknown message kinds NOT_A_KIND/),
    ]);
    expect(problems({ SMS_TEMPLATE_IDS: '[1]' })).toEqual([
      expect.stringMatching(/^SMS_TEMPLATE_IDS: must be a JSON object/),
    ]);
  });

  it('checks limits and timings', () => {
    expect(problems({ SMS_RATE_LIMITS: '60' })).toEqual([
      expect.stringMatching(/^SMS_RATE_LIMITS:/),
    ]);
    expect(problems({ SMS_RATE_LIMITED_KINDS: 'LOGIN_CODE,NEW_APPLICATION' })).toEqual([
      expect.stringMatching(/^SMS_RATE_LIMITED_KINDS: must be a comma-separated list of SMS kinds/),
    ]);
    expect(loadNotificationsConfig(base).SMS_RATE_LIMITED_KINDS).toEqual([
      'LOGIN_CODE',
      'BINDING_PHONE_CODE',
      'PROSECUTOR_LOGIN_CODE',
    ]);
    expect(loadNotificationsConfig({ ...base, SMS_RATE_LIMITS: 'off' }).SMS_RATE_LIMITS).toEqual(
      [],
    );
    expect(problems({ SMS_LEASE_MS: '1000', SMS_PROVIDER_TIMEOUT_MS: '800' })).toEqual([
      expect.stringMatching(/^SMS_PROVIDER_TIMEOUT_MS: must be at most half of SMS_LEASE_MS/),
    ]);
    expect(problems({ SMS_BACKOFF_BASE_MS: '5000', SMS_BACKOFF_CAP_MS: '1000' })).toEqual([
      expect.stringMatching(/^SMS_BACKOFF_CAP_MS/),
    ]);
  });
});

describe('message templates', () => {
  it('every kind has a template whose placeholders match its declared variables', () => {
    expect(checkTemplates()).toEqual([]);
  });

  it('the start-up check catches undeclared placeholders, unused variables and secrets in in-app text', () => {
    const broken: Record<string, Template> = {
      ...templates,
      LOGIN_CODE: {
        sms: {
          text: '验证码${code}，${expiresInMinutes}分钟内有效，${typo}',
          variables: ['code', 'expiresInMinutes'],
        },
      },
      BINDING_APPROVED: { sms: { text: '已通过。', variables: ['reason'] } },
      PACKAGE_READY: {
        inApp: { title: '卷宗已可下载', body: '下载密码：${password}', variables: ['password'] },
      },
    };
    expect(checkTemplates(broken)).toEqual([
      'BINDING_APPROVED.sms: variable reason is declared but not used',
      'PACKAGE_READY.inApp: sensitive variable password may not appear in an in-app notification',
      'LOGIN_CODE.sms: placeholder ${typo} is not a declared variable',
    ]);
  });

  it('checks an SMS’s variables: present or defaulted, well-formed, nothing else', () => {
    expect(checkSmsVariables('LOGIN_CODE', { code: '123456' })).toEqual({
      values: { code: '123456', expiresInMinutes: '5' },
    });
    expect(checkSmsVariables('LOGIN_CODE', { code: 12345, expiresInMinutes: 10 })).toEqual({
      values: { code: '12345', expiresInMinutes: '10' },
    });
    expect(
      checkSmsVariables('PACKAGE_READY', {
        password: 'Ab3xYz9Q',
        expiresAt: '2025-06-30T16:30:00.000Z',
        caseName: '某某涉嫌非法吸收公众存款及集资诈骗案（第二批）',
      }),
    ).toEqual({
      values: {
        password: 'Ab3xYz9Q',
        expiresAt: '2025-07-01 00:30',
        caseName: '某某涉嫌非法吸收公众存款及集资诈骗案（…',
      },
    });
    expect(checkSmsVariables('DOCUMENT_PASSWORD', { password: 'Ab3xYz9Qk2mn' })).toEqual({
      values: { password: 'Ab3xYz9Qk2mn', caseName: '案件' },
    });
    expect(
      checkSmsVariables('PACKAGE_READY', { password: 'Ab3xYz9Q', expiresAt: 'next week' }),
    ).toEqual({ problems: ['变量 expiresAt 缺失或格式不正确'] });
    expect(checkSmsVariables('LOGIN_CODE', { code: '12a456' })).toEqual({
      problems: ['变量 code 缺失或格式不正确'],
    });
    expect(checkSmsVariables('DOCUMENT_PASSWORD', { password: 'Secr3t!!', code: '1234' })).toEqual({
      problems: ['未知变量 code'],
    });
    expect(checkSmsVariables('NEW_APPLICATION', {})).toEqual({
      problems: ['NEW_APPLICATION 不是短信类消息'],
    });
  });
});
