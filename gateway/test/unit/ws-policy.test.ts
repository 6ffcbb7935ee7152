import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../src/config.ts';
import {
  createOriginCheck,
  maxSessionRecheckMs,
  parseAllowedOrigins,
  subscriptionLimits,
} from '../../src/ws-policy.ts';

const base = { YUEJUAN_INTERNAL_SECRET: 's'.repeat(40) };

describe('the WebSocket policy', () => {
  it("caps messages far below ws's 100 MiB default and bounds every wait", () => {
    const limits = subscriptionLimits(loadGatewayConfig(base));
    expect(limits).toMatchObject({
      maxPayloadBytes: 64 * 1024,
      connectionInitTimeoutMs: 5000,
      maxSubscriptionsPerSocket: 20,
      sessionRecheckMs: 30_000,
    });
  });

  it('takes its limits from the configuration', () => {
    const limits = subscriptionLimits(
      loadGatewayConfig({
        ...base,
        WS_MAX_PAYLOAD_BYTES: '16384',
        WS_CONNECTION_INIT_TIMEOUT_MS: '2000',
        WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '3',
        WS_SESSION_RECHECK_MS: '10000',
      }),
    );
    expect(limits).toMatchObject({
      maxPayloadBytes: 16384,
      connectionInitTimeoutMs: 2000,
      maxSubscriptionsPerSocket: 3,
      sessionRecheckMs: 10_000,
    });
  });

  it('never lets a revoked session keep its subscriptions longer than a minute', () => {
    expect(() => loadGatewayConfig({ ...base, WS_SESSION_RECHECK_MS: '120000' })).toThrow(
      /WS_SESSION_RECHECK_MS/,
    );
    expect(
      subscriptionLimits(loadGatewayConfig({ ...base, WS_SESSION_RECHECK_MS: '60000' }))
        .sessionRecheckMs,
    ).toBeLessThanOrEqual(maxSessionRecheckMs);
    expect(() =>
      loadGatewayConfig({ ...base, WS_MAX_PAYLOAD_BYTES: String(100 * 1024 * 1024) }),
    ).toThrow(/WS_MAX_PAYLOAD_BYTES/);
  });

  describe('Origin allow-list', () => {
    const production = subscriptionLimits(
      loadGatewayConfig({
        ...base,
        NODE_ENV: 'production',
        YUEJUAN_ALLOWED_ORIGINS:
          'https://yuejuan.example.cn, https://console.yuejuan.example.cn:8443',
      }),
    ).checkOrigin;

    it('lets listed origins in', () => {
      expect(production('https://yuejuan.example.cn')).toBe(true);
      expect(production('https://console.yuejuan.example.cn:8443')).toBe(true);
    });

    it('refuses other sites, look-alikes, other schemes and ports, and the opaque null origin', () => {
      for (const origin of [
        'https://evil.example.com',
        'https://yuejuan.example.cn.evil.com',
        'http://yuejuan.example.cn',
        'https://yuejuan.example.cn:444',
        'https://console.yuejuan.example.cn',
        'null',
        'file://',
        'https://yuejuan.example.cn/path',
        'https://user@yuejuan.example.cn',
        'not a url',
      ])
        expect(production(origin), origin).toBe(false);
    });

    it('refuses loopback origins in production, allows them in development', () => {
      expect(production('http://127.0.0.1:5173')).toBe(false);
      const development = subscriptionLimits(loadGatewayConfig(base)).checkOrigin;
      expect(development('http://127.0.0.1:5173')).toBe(true);
      expect(development('http://localhost:4000')).toBe(true);
      expect(development('http://localhost.evil.com')).toBe(false);
      expect(development('https://yuejuan.example.cn')).toBe(false);
    });

    it('lets a client without Origin through (not a browser, so not a hijacking page)', () => {
      expect(production(undefined)).toBe(true);
      expect(createOriginCheck([], { allowLoopback: false })('')).toBe(true);
    });

    it('stops startup on an entry that is not an origin, naming the variable', () => {
      expect(() => parseAllowedOrigins('https://ok.example.cn,yuejuan.example.cn')).toThrow(
        /"yuejuan\.example\.cn" is not an origin/,
      );
      expect(() =>
        loadGatewayConfig({ ...base, YUEJUAN_ALLOWED_ORIGINS: 'https://ok.example.cn/app' }),
      ).toThrow(/YUEJUAN_ALLOWED_ORIGINS/);
    });
  });
});
