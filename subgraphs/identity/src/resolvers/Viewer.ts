import type { SessionIdentity } from '@yuejuan/runtime';
import { AppError } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { IdentityServices } from '../services/index.ts';
import { nextStep } from '../services/lawyer.service.ts';

/** What `viewer` answers: the caller's session identity (fields resolve from it). */
export type ViewerParent = { identity: SessionIdentity };
type Parent = ViewerParent;

export const Viewer = ({ sessions }: IdentityServices) => ({
  session: async ({ identity }: Parent) => {
    // An application's token acts for the lawyer but is not one of their login sessions.
    if (identity.role === 'LAWYER' && identity.app)
      throw new AppError('INSUFFICIENT_SCOPE', '应用令牌没有登录会话信息。');
    const s = await sessions.byId(identity.sessionId);
    if (!s) throw new AppError('UNAUTHENTICATED');
    return {
      id: s.sessionId,
      role: s.role,
      method: s.method,
      identityVerified: identity.role === 'LAWYER' && identity.verified,
      createdAt: s.createdAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
    };
  },
  lawyer: ({ identity }: Parent, _: unknown, { loaders }: Context) =>
    identity.role === 'LAWYER' ? loaders.lawyer.load(identity.lawyerId) : null,
  prosecutor: ({ identity }: Parent, _: unknown, { loaders }: Context) =>
    identity.role === 'PROSECUTOR' ? loaders.prosecutor.load(identity.prosecutorId) : null,
  nextStep: async ({ identity }: Parent, _: unknown, { loaders }: Context) =>
    identity.role === 'LAWYER' ? nextStep(await loaders.lawyer.load(identity.lawyerId)) : 'DONE',
});
