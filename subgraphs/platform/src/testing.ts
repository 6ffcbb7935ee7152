import type { Identity } from './auth.ts';

/** Named identities for fixtures. */
export const anonymous: Identity = { role: 'ANONYMOUS' };
export const lawyerIdentity = (lawyerId: string, verified = true): Identity => ({
  role: 'LAWYER',
  sessionId: `s-${lawyerId}`,
  lawyerId,
  verified,
});
export const prosecutorIdentity = (prosecutorId: string, procuratorateId: string): Identity => ({
  role: 'PROSECUTOR',
  sessionId: `s-${prosecutorId}`,
  prosecutorId,
  procuratorateId,
});
export const adminIdentity = (administratorId = 'admin-1'): Identity => ({
  role: 'ADMINISTRATOR',
  sessionId: `s-${administratorId}`,
  administratorId,
});
