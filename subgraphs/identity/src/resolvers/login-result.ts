import { AppError, hasSession, type Identity } from '@yuejuan/runtime';
import type { LawyerDoc, SessionDoc } from '../models/index.ts';
import type { IdentityServices } from '../services/index.ts';
import { nextStep } from '../services/lawyer.service.ts';
import { sessionView } from '../services/session.service.ts';

/** The GraphQL LoginResult of a new session (with its token, shown this once). */
export async function loginResult(
  s: IdentityServices,
  opened: { token: string | null; session: SessionDoc },
) {
  const lawyer =
    opened.session.role === 'LAWYER'
      ? await s.models.Lawyer.findById(opened.session.subjectId).lean<LawyerDoc>().exec()
      : null;
  return {
    token: opened.token,
    session: sessionView(opened.session, s.now()),
    nextStep: nextStep(lawyer),
  };
}

/** The LoginResult of the caller's current session after a first-login step (no new token). */
export async function currentResult(s: IdentityServices, identity: Identity, lawyer: LawyerDoc) {
  if (!hasSession(identity)) throw new AppError('UNAUTHENTICATED');
  const session = await s.sessions.byId(identity.sessionId);
  if (!session) throw new AppError('UNAUTHENTICATED');
  return { token: null, session: sessionView(session, s.now()), nextStep: nextStep(lawyer) };
}
