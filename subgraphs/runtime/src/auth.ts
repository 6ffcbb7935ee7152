import { randomUUID } from 'node:crypto';
import { AppError } from './errors.ts';
import { signHs256, TokenError, verifyHs256 } from './jwt.ts';

/** Purposes of step-up verification (身份核验). */
export type StepUpPurpose = 'BIND_CASE' | 'APPOINTMENT' | 'READING_APPLICATION' | 'DOWNLOAD';

/**
 * A step-up challenge the caller's session confirmed with the verifier and has not let
 * expire. Identity vouches for it; the subgraph that acts on it makes it single use
 * (requireStepUp claims its id once in the acting subgraph's own collection).
 */
export interface StepUpGrant {
  id: string;
  purpose: StepUpPurpose;
  confirmedAt: string;
}

/** Who is calling, as established by the gateway from the caller's session. */
export type Identity =
  | { role: 'ANONYMOUS' }
  | { role: 'LAWYER'; sessionId: string; lawyerId: string; verified: boolean; stepUps?: StepUpGrant[] }
  | { role: 'PROSECUTOR'; sessionId: string; prosecutorId: string; procuratorateId: string }
  | { role: 'ADMINISTRATOR'; sessionId: string; administratorId: string }
  /** Another subgraph calling an internal route (never minted by the gateway for a user). */
  | { role: 'SERVICE'; service: string };

/** A caller with a login session (lawyer, prosecutor, administrator). */
export type SessionIdentity = Exclude<Identity, { role: 'ANONYMOUS' } | { role: 'SERVICE' }>;

/** Whether the caller holds a login session. */
export const hasSession = (identity: Identity): identity is SessionIdentity => identity.role !== 'ANONYMOUS' && identity.role !== 'SERVICE';

/** Header carrying the per-request token the gateway mints for one subgraph. */
export const internalTokenHeader = 'x-internal-token';
const issuer = 'yuejuan-gateway';

/**
 * Mints the token the gateway sends to one subgraph for one request: HS256, audience = the
 * subgraph, a few seconds of life, a unique id. The identity travels inside, signed, so a
 * subgraph never trusts a plain header.
 */
export async function mintInternalToken(secret: string, audience: string, identity: Identity, ttlSeconds = 30): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signHs256(secret, { idn: identity, iss: issuer, aud: audience, iat: now, exp: now + ttlSeconds, jti: randomUUID() });
}

/**
 * Verifies a token for this subgraph: signature (HS256 only, so `alg: none` and key confusion
 * fail), issuer, audience and expiry. Throws UNAUTHENTICATED with a reason that names no secret.
 */
export async function verifyInternalToken(secret: string, audience: string, token: string | undefined): Promise<Identity> {
  if (!token) throw new AppError('UNAUTHENTICATED', '请求未经网关签发，已拒绝。', { reason: 'missing internal token' });
  try {
    const claims = verifyHs256(secret, token, { issuer, audience, maxAgeSeconds: 300 });
    const identity = claims.idn as Identity | undefined;
    if (!identity || typeof identity !== 'object' || typeof identity.role !== 'string') throw new TokenError('invalid');
    return identity;
  } catch (err) {
    const reason = err instanceof TokenError && err.kind === 'expired' ? 'expired internal token' : 'invalid internal token';
    throw new AppError('UNAUTHENTICATED', '请求未经网关签发，已拒绝。', { reason });
  }
}

/** The caller must be logged in with one of `roles`; returns the narrowed identity. */
export function requireRole<R extends Identity['role']>(identity: Identity, ...roles: R[]): Extract<Identity, { role: R }> {
  if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
  if (!roles.includes(identity.role as R)) throw new AppError('FORBIDDEN');
  return identity as Extract<Identity, { role: R }>;
}
