// The SSRF guard of webhook endpoints: which addresses are refused, and the delivery-time check
// of the address actually connected to.
import { describe, expect, it } from 'vitest';
import { endpointUrlProblem, isPrivateAddress } from '../../src/webhooks/url-guard.ts';
import { postWebhook } from '../../src/workers/webhook-post.ts';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });
  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'accepts %s',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );
});

describe('endpointUrlProblem', () => {
  it('accepts https to a public address', async () => {
    expect(await endpointUrlProblem('https://93.184.216.34/hooks', false)).toBeNull();
  });
  it.each([
    ['http://93.184.216.34/hooks', '须使用 https'],
    ['https://127.0.0.1/hooks', '内网'],
    ['https://[::1]/hooks', '内网'],
    ['https://169.254.169.254/latest/meta-data', '内网'],
    ['https://localhost/hooks', '内网'], // resolved: localhost is loopback
    ['https://user:pw@93.184.216.34/', '账号'],
    ['https://93.184.216.34/#x', '片段'],
    ['ftp://93.184.216.34/', '须使用 https'],
    ['not a url', '地址无效'],
    ['https://no-such-host.invalid/hooks', '无法解析'],
  ])('refuses %s', async (url, why) => {
    expect(await endpointUrlProblem(url, false)).toContain(why);
  });
  it('lets development use http on loopback when allowed', async () => {
    expect(await endpointUrlProblem('http://127.0.0.1:6100/hooks', true)).toBeNull();
    expect(await endpointUrlProblem('ftp://127.0.0.1/', true)).toContain('https');
  });
});

describe('postWebhook', () => {
  it('refuses to connect to a private address unless allowed, by name or by address', async () => {
    const options = { timeoutMs: 1000, allowPrivate: false };
    const byAddress = await postWebhook('https://127.0.0.1:6199/x', '{}', {}, options);
    expect(byAddress).toMatchObject({
      httpStatus: null,
      error: expect.stringContaining('127.0.0.1'),
    });
    const byName = await postWebhook('https://localhost:6199/x', '{}', {}, options);
    expect(byName.httpStatus).toBeNull();
    expect(byName.error).toMatch(/拒绝连接内网或本机地址/);
  });
});
