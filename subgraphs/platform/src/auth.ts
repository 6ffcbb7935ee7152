import { randomUUID } from 'node:crypto';
import { AppError } from './errors.ts';
import { signHs256, TokenError, verifyHs256 } from './jwt.ts';

/** Purposes of step-up verification (身份核验). */
export type StepUpPurpose =
  | 'BIND_CASE'
  | 'APPOINTMENT'
  | 'READING_APPLICATION'
  | 'DOWNLOAD'
  | 'READ_ONLINE'
  | 'MANAGE_DEVICES'
  | 'PASSWORD'
  | 'AUTHORIZE_APP';

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

/**
 * An integrator's application calling with an OAuth access token (verified by the gateway):
 * which application, the scopes it holds now, and the lawyer's grant it acts under.
 */
export interface AppAccess {
  clientId: string;
  scopes: string[];
  /** The lawyer's grant (authorization code flow); absent for client credentials. */
  grantId?: string;
}

/**
 * Who is calling, as established by the gateway from the caller's session or OAuth token. A
 * law-firm application acts as the lawyer who granted it (`app` set: never verified, no
 * step-ups, limited to its scopes); a procuratorate's own system (client credentials) is a
 * SYSTEM of its procuratorate, a role no person has, so every check written for people
 * refuses it unless it names SYSTEM.
 */
export type Identity =
  | { role: 'ANONYMOUS' }
  | {
      role: 'LAWYER';
      sessionId: string;
      lawyerId: string;
      verified: boolean;
      stepUps?: StepUpGrant[];
      app?: AppAccess;
    }
  | { role: 'PROSECUTOR'; sessionId: string; prosecutorId: string; procuratorateId: string }
  | { role: 'ADMINISTRATOR'; sessionId: string; administratorId: string }
  /** 检察业务应用系统: a procuratorate's case system with client credentials. */
  | { role: 'SYSTEM'; procuratorateId: string; app: AppAccess }
  /** Another subgraph calling an internal route (never minted by the gateway for a user). */
  | { role: 'SERVICE'; service: string };

/** A caller with a login session (lawyer, prosecutor, administrator). */
export type SessionIdentity = Exclude<
  Identity,
  { role: 'ANONYMOUS' } | { role: 'SERVICE' } | { role: 'SYSTEM' }
>;

/**
 * Whether the caller is a person: a login session, or a law-firm application acting for the
 * lawyer who granted it (`app` set; its sessionId names the grant, not a login session).
 */
export const hasSession = (identity: Identity): identity is SessionIdentity =>
  identity.role !== 'ANONYMOUS' && identity.role !== 'SERVICE' && identity.role !== 'SYSTEM';

/** Header carrying the per-request token the gateway mints for one subgraph. */
export const internalTokenHeader = 'x-internal-token';
const issuer = 'yuejuan-gateway';

/**
 * Life of an internal token: it travels one hop on loopback or the service network and is
 * checked on arrival, so seconds are enough, and a leaked one is worth little.
 */
export const internalTokenTtlSeconds = 10;

/**
 * Token ids this process has accepted, each kept until its token expires: a token is good for
 * one request (or one subscription). Tokens live seconds and are addressed to one service, so a
 * per-process memory suffices: a replay to another instance of the same service would need the
 * token to leak and be replayed within its few seconds, and then still meets that instance's
 * own record only if it arrived there first. Bounded: when full, expired entries are swept, and
 * if still full, new tokens are refused (fail closed) rather than forgetting live ids.
 */
const seenTokens = new Map<string, number>();
const maxSeenTokens = 200_000;

function firstUse(audience: string, jti: string, exp: number, nowSeconds: number): boolean {
  const key = `${audience}:${jti}`;
  if (seenTokens.has(key)) return false;
  if (seenTokens.size >= maxSeenTokens) {
    for (const [k, until] of seenTokens) if (until < nowSeconds) seenTokens.delete(k);
    if (seenTokens.size >= maxSeenTokens) return false;
  }
  seenTokens.set(key, exp);
  return true;
}

// Expired ids are swept once a minute, so the memory follows the request rate of one minute.
setInterval(() => {
  const now = Math.floor(Date.now() / 1000);
  for (const [k, until] of seenTokens) if (until < now) seenTokens.delete(k);
}, 60_000).unref();

/**
 * Mints the token the gateway sends to one subgraph for one request: HS256, audience = the
 * subgraph, a few seconds of life, a unique id. The identity travels inside, signed, so a
 * subgraph never trusts a plain header.
 */
export async function mintInternalToken(
  secret: string,
  audience: string,
  identity: Identity,
  ttlSeconds = internalTokenTtlSeconds,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signHs256(secret, {
    idn: identity,
    iss: issuer,
    aud: audience,
    iat: now,
    exp: now + ttlSeconds,
    jti: randomUUID(),
  });
}

/**
 * Verifies a token for this subgraph: signature (HS256 only, so `alg: none` and key confusion
 * fail), issuer, audience, expiry, and that its id was not used before in this process. Throws UNAUTHENTICATED with a reason that names no secret.
 */
export async function verifyInternalToken(
  secret: string,
  audience: string,
  token: string | undefined,
): Promise<Identity> {
  if (!token)
    throw new AppError('UNAUTHENTICATED', '请求未经网关签发，已拒绝。', {
      reason: 'missing internal token',
    });
  try {
    const claims = verifyHs256(secret, token, {
      issuer,
      audience,
      maxAgeSeconds: internalTokenTtlSeconds,
    });
    const identity = claims.idn as Identity | undefined;
    if (!identity || typeof identity !== 'object' || typeof identity.role !== 'string')
      throw new TokenError('invalid');
    if (typeof claims.jti !== 'string' || claims.jti.length < 16 || claims.jti.length > 64)
      throw new TokenError('invalid');
    if (!firstUse(audience, claims.jti, claims.exp, Math.floor(Date.now() / 1000)))
      throw new TokenError('replayed');
    return identity;
  } catch (err) {
    const kind = err instanceof TokenError ? err.kind : 'invalid';
    const reason =
      kind === 'expired'
        ? 'expired internal token'
        : kind === 'replayed'
          ? 'replayed internal token'
          : 'invalid internal token';
    throw new AppError('UNAUTHENTICATED', '请求未经网关签发，已拒绝。', { reason });
  }
}

/** The caller must be logged in with one of `roles`; returns the narrowed identity. */
export function requireRole<R extends Identity['role']>(
  identity: Identity,
  ...roles: R[]
): Extract<Identity, { role: R }> {
  if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
  if (!roles.includes(identity.role as R)) throw new AppError('FORBIDDEN');
  return identity as Extract<Identity, { role: R }>;
}
