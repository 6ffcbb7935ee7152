import { hasSession } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { IdentityServices } from '../services/index.ts';

export const Mutation = ({ sessions }: IdentityServices) => ({
  logout: async (_: unknown, __: unknown, { identity }: Context) => {
    if (!hasSession(identity)) return false;
    await sessions.revoke(identity.sessionId);
    return true;
  },
});
