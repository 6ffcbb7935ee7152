import { AppError, hasSession } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import { consentText } from '../services/consent.ts';
import { assertPersonal } from '../services/lawyer.service.ts';

export const Query = {
  viewer: (_: unknown, __: unknown, { identity }: Context) => (hasSession(identity) ? { identity } : null),
  lawyer: async (_: unknown, { id }: { id: string }, { identity, loaders }: Context) => {
    assertPersonal(identity, id);
    return loaders.lawyer.load(id);
  },
  prosecutor: async (_: unknown, { id }: { id: string }, { identity, loaders }: Context) => {
    if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
    const self = identity.role === 'PROSECUTOR' && identity.prosecutorId === id;
    if (!self && identity.role !== 'ADMINISTRATOR') throw new AppError('FORBIDDEN');
    return loaders.prosecutor.load(id);
  },
  currentConsentText: () => consentText,
};
