import { describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { mintInternalToken, verifyInternalToken, requireRole, AppError } from '../src/index.ts';
import { lawyerIdentity, anonymous } from '../src/testing/index.ts';

const secret = 'x'.repeat(40);

describe('internal tokens between gateway and subgraphs', () => {
  it('round-trips an identity for the right audience', async () => {
    const token = await mintInternalToken(secret, 'cases', lawyerIdentity('l1'));
    await expect(verifyInternalToken(secret, 'cases', token)).resolves.toEqual(lawyerIdentity('l1'));
  });

  it.each([
    ['missing', async () => undefined, 'missing internal token'],
    ['wrong audience', async () => mintInternalToken(secret, 'identity', anonymous), 'invalid internal token'],
    ['wrong key', async () => mintInternalToken('y'.repeat(40), 'cases', anonymous), 'invalid internal token'],
    ['alg none', async () => new UnsecuredJWT({ idn: anonymous }).setIssuer('yuejuan-gateway').setAudience('cases').setExpirationTime('30s').encode(), 'invalid internal token'],
    ['expired', async () => new SignJWT({ idn: anonymous }).setProtectedHeader({ alg: 'HS256' }).setIssuer('yuejuan-gateway').setAudience('cases').setIssuedAt(Math.floor(Date.now() / 1000) - 120).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(new TextEncoder().encode(secret)), 'expired internal token'],
  ])('refuses a %s token with UNAUTHENTICATED', async (_, make, reason) => {
    const err = await verifyInternalToken(secret, 'cases', await make()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
  });

  it('requireRole separates anonymous (UNAUTHENTICATED) from wrong role (FORBIDDEN)', () => {
    expect(() => requireRole(anonymous, 'LAWYER')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }));
    expect(() => requireRole(lawyerIdentity('l1'), 'PROSECUTOR')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }));
    expect(requireRole(lawyerIdentity('l1'), 'LAWYER').lawyerId).toBe('l1');
  });
});
