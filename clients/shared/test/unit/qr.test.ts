import { describe, expect, it } from 'vitest';
import { parseQrPayload } from '../../src/qr.ts';

describe('parseQrPayload', () => {
  it('reads a login ticket payload', () => {
    expect(parseQrPayload('yuejuan://login?id=abcdefghij0123456789&nonce=n0nce_-AB')).toEqual({
      kind: 'LOGIN',
      id: 'abcdefghij0123456789',
      nonce: 'n0nce_-AB',
      raw: 'yuejuan://login?id=abcdefghij0123456789&nonce=n0nce_-AB',
    });
  });

  it('reads a step-up payload and trims what a decoder adds around it', () => {
    expect(parseQrPayload('  yuejuan://step-up?id=ABCDEFGHIJKLMNOP&nonce=12345678\n')?.kind).toBe(
      'STEP_UP',
    );
  });

  it.each([
    ['a web link', 'https://www.12309.gov.cn/login'],
    ['an unknown kind', 'yuejuan://pay?id=abcdefghij0123456789&nonce=12345678'],
    ['a short id', 'yuejuan://login?id=short&nonce=12345678'],
    ['a missing nonce', 'yuejuan://login?id=abcdefghij0123456789'],
    ['extra parameters', 'yuejuan://login?id=abcdefghij0123456789&nonce=12345678&secret=x'],
    ['characters outside base64url', 'yuejuan://login?id=abcdefghij01234567/9&nonce=12345678'],
    ['an empty text', ''],
  ])('refuses %s', (_, text) => {
    expect(parseQrPayload(text)).toBeNull();
  });
});
