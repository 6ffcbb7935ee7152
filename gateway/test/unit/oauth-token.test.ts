// The gateway's check of an access token, attack by attack: each forged or misdirected token
// is refused with INVALID_TOKEN, and only a well-formed one for our API passes.
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiResource } from '@yuejuan/platform';
import { looksLikeJwt, verifyAccessToken } from '../../src/oauth.ts';

const issuer = 'http://127.0.0.1:4000/oauth';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = 1_800_000_000;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function token(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: KeyObject = privateKey,
): string {
  const input = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'k1', ...header })}.${b64({
    iss: issuer,
    aud: apiResource,
    sub: 'lawyer-1',
    client_id: 'yj_app',
    scope: 'profile:read',
    gid: 'grant-1',
    iat: now - 10,
    exp: now + 290,
    ...claims,
  })}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key).toString('base64url')}`;
}

const check = (t: string) =>
  verifyAccessToken(t, {
    issuer,
    keyFor: (kid) => (kid === 'k1' ? publicKey : undefined),
    nowSeconds: now,
  });
const refused = (t: string) => {
  expect(() => check(t)).toThrow(
    expect.objectContaining({ extensions: expect.objectContaining({ code: 'INVALID_TOKEN' }) }),
  );
};

describe('verifyAccessToken', () => {
  it('accepts our access token and returns its claims', () => {
    expect(check(token())).toMatchObject({ sub: 'lawyer-1', client_id: 'yj_app', gid: 'grant-1' });
    expect(looksLikeJwt(token())).toBe(true);
    expect(looksLikeJwt('a'.repeat(43))).toBe(false);
  });

  it('refuses a token for another audience (an ID token, another resource)', () => {
    refused(token({ aud: 'yj_app' }, { typ: 'JWT' }));
    refused(token({ aud: 'yj_app' }));
    refused(token({ aud: 'urn:yuejuan:webhooks' }));
  });

  it('refuses forged signatures, other keys, alg none and HMAC with the public key', () => {
    refused(token({}, {}, other.privateKey));
    refused(token({}, { kid: 'unknown' }));
    const [h, b] = token().split('.');
    refused(`${b64({ alg: 'none', typ: 'at+jwt', kid: 'k1' })}.${b}.`);
    const hs = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' })}.${b}`;
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    refused(`${hs}.${createHmac('sha256', pem).update(hs).digest('base64url')}`);
    refused(
      `${h}.${b64({ iss: issuer, aud: apiResource, sub: 'someone-else', client_id: 'yj_app', iat: now, exp: now + 60 })}.${token().split('.')[2]}`,
    );
  });

  it('refuses expired, future, foreign-issuer and incomplete tokens', () => {
    refused(token({ exp: now - 6 }));
    refused(token({ iat: now + 60 }));
    refused(token({ iss: 'http://evil.example/oauth' }));
    refused(token({ sub: undefined }));
    refused(token({ client_id: 42 }));
    refused(token({}, { crit: ['exp'] }));
  });
});
