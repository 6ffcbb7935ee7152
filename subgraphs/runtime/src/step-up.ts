import type { Collection } from 'mongodb';
import type { Identity, StepUpPurpose } from '@yuejuan/platform';
import { AppError } from '@yuejuan/platform';
import { claimOnce } from './once.ts';

/** One consumed step-up challenge, in the acting subgraph's own collection. */
export interface StepUpClaim {
  _id: string;
  purpose: StepUpPurpose;
  sessionId: string;
  at: Date;
}

export interface StepUpOptions {
  /** A fresh scan is needed even from an identity-verified session (the download). */
  always?: boolean;
  /** How old a confirmation may be (default 5 minutes). */
  maxAgeSeconds?: number;
  now?: Date;
}

/**
 * Lets an operation that needs a verified identity go on: a scan-login session inside its
 * verified window passes (unless `always`); otherwise the session must hold a fresh confirmed
 * challenge of exactly this purpose, which is consumed here, once, by inserting its id under
 * the unique `_id` of `claims` (the acting subgraph's own collection). Throws
 * STEP_UP_REQUIRED (with the purpose, so the client shows the identity QR) when neither holds.
 */
export async function requireStepUp(
  identity: Identity,
  purpose: StepUpPurpose,
  claims: Collection<StepUpClaim>,
  options: StepUpOptions = {},
): Promise<void> {
  if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
  if (identity.role !== 'LAWYER') throw new AppError('FORBIDDEN');
  if (identity.verified && !options.always) return;
  const now = options.now ?? new Date();
  const maxAge = (options.maxAgeSeconds ?? 300) * 1000;
  for (const grant of identity.stepUps ?? []) {
    if (grant.purpose !== purpose) continue;
    if (now.getTime() - Date.parse(grant.confirmedAt) > maxAge) continue;
    if (await claimOnce(claims, grant.id, { purpose, sessionId: identity.sessionId, at: now }))
      return;
  }
  throw new AppError('STEP_UP_REQUIRED', undefined, { purpose });
}
