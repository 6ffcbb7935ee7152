import { createHmac, timingSafeEqual } from 'node:crypto';

// The gateway signs a token for every subgraph request and every subgraph verifies one, so
// this is the hottest crypto in the platform. jose signs HS256 through WebCrypto, which
// hands each signature to the thread pool and back (about a tenth of the gateway's CPU under
// load); an HMAC is microseconds of synchronous work. This is only the one JWS form we need:
// compact, HS256, our claims. Anything else fails verification.

/** Claims of our internal tokens (RFC 7519 names). */
export interface Hs256Claims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  [claim: string]: unknown;
}

/** Why a token was refused: `expired` is told apart so the caller can say so. */
export class TokenError extends Error {
  constructor(readonly kind: 'invalid' | 'expired' | 'replayed') {
    super(`${kind} token`);
  }
}

const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (secret: string, input: string) => createHmac('sha256', secret).update(input).digest();

/** Signs `claims` as a compact HS256 JWS. */
export function signHs256(secret: string, claims: Hs256Claims): string {
  const input = `${header}.${encode(claims)}`;
  return `${input}.${sign(secret, input).toString('base64url')}`;
}

/**
 * Verifies a compact HS256 JWS and its registered claims: the header must say HS256 (so
 * `alg: none` and key confusion fail), the signature must match in constant time, `iss` and
 * `aud` must be ours, `exp` in the future and `iat` no older than `maxAgeSeconds` nor in the
 * future (a little clock skew allowed).
 */
export function verifyHs256(
  secret: string,
  token: string,
  expected: { issuer: string; audience: string; maxAgeSeconds: number; nowSeconds?: number },
): Hs256Claims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenError('invalid');
  const [head, body, signature] = parts as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  const wanted = sign(secret, `${head}.${body}`);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    throw new TokenError('invalid');
  const h = parse(head);
  if (h?.alg !== 'HS256' || (h.typ !== undefined && h.typ !== 'JWT') || h.crit !== undefined)
    throw new TokenError('invalid');
  const claims = parse(body) as Partial<Hs256Claims> | undefined;
  if (!claims || claims.iss !== expected.issuer) throw new TokenError('invalid');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.audience)) throw new TokenError('invalid');
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number')
    throw new TokenError('invalid');
  const now = expected.nowSeconds ?? Math.floor(Date.now() / 1000);
  const skew = 5;
  if (claims.iat > now + skew) throw new TokenError('invalid');
  if (claims.exp <= now || now - claims.iat > expected.maxAgeSeconds)
    throw new TokenError('expired');
  return claims as Hs256Claims;
}

function parse(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
