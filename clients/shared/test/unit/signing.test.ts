import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  base64url,
  canonicalString,
  generateDeviceKey,
  publicKeyJwk,
  signAction,
} from '../../src/signing.ts';

// The same check as subgraphs/identity/src/services/device.service.ts verifySigned.
function serverVerifies(
  jwkJson: string,
  action: string,
  input: { qrPayload: string; signedAt: string; signature: string },
): boolean {
  const key = createPublicKey({ key: JSON.parse(jwkJson), format: 'jwk' });
  const signature = Buffer.from(input.signature, 'base64url');
  return (
    signature.length === 64 &&
    verify(
      'sha256',
      Buffer.from(`${action}|${input.qrPayload}|${input.signedAt}`, 'utf8'),
      { key, dsaEncoding: 'ieee-p1363' },
      signature,
    )
  );
}

const payload = 'yuejuan://login?id=abcdefghij0123456789&nonce=n0nce_-AB';

describe('device signing', () => {
  it('signs the canonical string so identity’s verification accepts it', async () => {
    const keys = await generateDeviceKey();
    const jwk = await publicKeyJwk(keys.publicKey);
    const input = await signAction(
      { deviceId: 'dev-1', privateKey: keys.privateKey },
      'confirm',
      payload,
      new Date('2025-03-01T08:00:00.123Z'),
    );
    expect(input).toMatchObject({
      qrPayload: payload,
      deviceId: 'dev-1',
      signedAt: '2025-03-01T08:00:00.123Z',
    });
    expect(input.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(serverVerifies(jwk, 'confirm', input)).toBe(true);
  });

  it('binds the action: a scan signature does not confirm', async () => {
    const keys = await generateDeviceKey();
    const input = await signAction(
      { deviceId: 'dev-1', privateKey: keys.privateKey },
      'scan',
      payload,
    );
    expect(serverVerifies(await publicKeyJwk(keys.publicKey), 'confirm', input)).toBe(false);
  });

  it('keeps the private key unreadable and exports only the public point', async () => {
    const keys = await generateDeviceKey();
    expect(keys.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', keys.privateKey)).rejects.toThrow();
    expect(Object.keys(JSON.parse(await publicKeyJwk(keys.publicKey))).sort()).toEqual([
      'crv',
      'kty',
      'x',
      'y',
    ]);
  });

  it('writes the canonical string and base64url as identity reads them', () => {
    expect(canonicalString('step-up', payload, '2025-03-01T08:00:00.000Z')).toBe(
      `step-up|${payload}|2025-03-01T08:00:00.000Z`,
    );
    expect(base64url(new Uint8Array([251, 255, 191]))).toBe('-_-_');
  });
});
