import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { mintInternalToken, verifyInternalToken, requireRole, AppError } from '../../src/index.ts';
import { lawyerIdentity, anonymous } from '../../src/testing.ts';

const secret = 'x'.repeat(40);
const now = () => Math.floor(Date.now() / 1000);
const adminLike = { role: 'ADMINISTRATOR', sessionId: 's', administratorId: 'a' };

describe('internal tokens between gateway and subgraphs', () => {
  it('round-trips an identity for the right audience', async () => {
    const token = await mintInternalToken(secret, 'cases', lawyerIdentity('l1'));
    await expect(verifyInternalToken(secret, 'cases', token)).resolves.toEqual(
      lawyerIdentity('l1'),
    );
  });

  it.each([
    ['missing', async () => undefined, 'missing internal token'],
    [
      'wrong audience',
      async () => mintInternalToken(secret, 'identity', anonymous),
      'invalid internal token',
    ],
    [
      'wrong key',
      async () => mintInternalToken('y'.repeat(40), 'cases', anonymous),
      'invalid internal token',
    ],
    [
      'alg none',
      async () =>
        new UnsecuredJWT({ idn: anonymous })
          .setIssuer('yuejuan-gateway')
          .setAudience('cases')
          .setExpirationTime('30s')
          .encode(),
      'invalid internal token',
    ],
    [
      'expired',
      async () =>
        new SignJWT({ idn: anonymous })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('yuejuan-gateway')
          .setAudience('cases')
          .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
          .sign(new TextEncoder().encode(secret)),
      'expired internal token',
    ],
  ])('refuses a %s token with UNAUTHENTICATED', async (_, make, reason) => {
    const err = await verifyInternalToken(secret, 'cases', await make()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
  });

  it('accepts a token another HS256 implementation (jose) signed with our claims', async () => {
    const token = await new SignJWT({ idn: lawyerIdentity('l2') })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('yuejuan-gateway')
      .setAudience('cases')
      .setIssuedAt()
      .setExpirationTime('30s')
      .setJti(randomUUID())
      .sign(new TextEncoder().encode(secret));
    await expect(verifyInternalToken(secret, 'cases', token)).resolves.toEqual(
      lawyerIdentity('l2'),
    );
  });

  it.each([
    [
      'a changed payload',
      async () => {
        const [h, , s] = (await mintInternalToken(secret, 'cases', anonymous)).split('.');
        return [
          h,
          Buffer.from(
            JSON.stringify({
              idn: adminLike,
              iss: 'yuejuan-gateway',
              aud: 'cases',
              iat: now(),
              exp: now() + 30,
              jti: 'x',
            }),
          ).toString('base64url'),
          s,
        ].join('.');
      },
    ],
    [
      'another algorithm (HS512)',
      async () =>
        new SignJWT({ idn: anonymous })
          .setProtectedHeader({ alg: 'HS512' })
          .setIssuer('yuejuan-gateway')
          .setAudience('cases')
          .setIssuedAt()
          .setExpirationTime('30s')
          .sign(new TextEncoder().encode(secret)),
    ],
    [
      'another issuer',
      async () =>
        new SignJWT({ idn: anonymous })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('someone-else')
          .setAudience('cases')
          .setIssuedAt()
          .setExpirationTime('30s')
          .sign(new TextEncoder().encode(secret)),
    ],
    [
      'an issue time in the future',
      async () =>
        new SignJWT({ idn: anonymous })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('yuejuan-gateway')
          .setAudience('cases')
          .setIssuedAt(now() + 600)
          .setExpirationTime(now() + 630)
          .sign(new TextEncoder().encode(secret)),
    ],
    [
      'no identity claim',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('yuejuan-gateway')
          .setAudience('cases')
          .setIssuedAt()
          .setExpirationTime('30s')
          .sign(new TextEncoder().encode(secret)),
    ],
    ['garbage', async () => 'not.a.token'],
  ])('refuses %s as an invalid token', async (_, make) => {
    const err = await verifyInternalToken(secret, 'cases', await make()).catch((e: unknown) => e);
    expect((err as AppError).extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'invalid internal token',
    });
  });

  it('accepts a token once: the same token a second time is refused (a leaked token is worth nothing)', async () => {
    const token = await mintInternalToken(secret, 'cases', lawyerIdentity('l3'));
    await expect(verifyInternalToken(secret, 'cases', token)).resolves.toEqual(
      lawyerIdentity('l3'),
    );
    const err = await verifyInternalToken(secret, 'cases', token).catch((e: unknown) => e);
    expect((err as AppError).extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'replayed internal token',
    });
  });

  it('refuses a token without a proper id (nothing to remember it by)', async () => {
    const token = await new SignJWT({ idn: anonymous })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('yuejuan-gateway')
      .setAudience('cases')
      .setIssuedAt()
      .setExpirationTime('5s')
      .sign(new TextEncoder().encode(secret));
    const err = await verifyInternalToken(secret, 'cases', token).catch((e: unknown) => e);
    expect((err as AppError).extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'invalid internal token',
    });
  });

  it('mints tokens that live seconds, and refuses one issued longer ago than that even if its expiry is later', async () => {
    const [, body] = (await mintInternalToken(secret, 'cases', anonymous)).split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(10);
    const token = await new SignJWT({ idn: anonymous })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('yuejuan-gateway')
      .setAudience('cases')
      .setJti(randomUUID())
      .setIssuedAt(now() - 11)
      .setExpirationTime(now() + 3600)
      .sign(new TextEncoder().encode(secret));
    const err = await verifyInternalToken(secret, 'cases', token).catch((e: unknown) => e);
    expect((err as AppError).extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'expired internal token',
    });
  });

  it('requireRole separates anonymous (UNAUTHENTICATED) from wrong role (FORBIDDEN)', () => {
    expect(() => requireRole(anonymous, 'LAWYER')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    );
    expect(() => requireRole(lawyerIdentity('l1'), 'PROSECUTOR')).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    );
    expect(requireRole(lawyerIdentity('l1'), 'LAWYER').lawyerId).toBe('l1');
  });
});
