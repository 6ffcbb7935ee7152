import { AppError, type Identity } from '@yuejuan/runtime';
import type { LawyerDoc } from '../models/index.ts';

/** Pages the portal shows after a login, in flow 2's order. */
export type LoginStep = 'CONSENT' | 'COMPLETE_PROFILE' | 'DONE';

/** 授权信息 first, then 完善信息 for a lawyer without a portal account, then 个人中心. */
export function nextStep(lawyer: Pick<LawyerDoc, 'consent' | 'registeredAt'> | null): LoginStep {
  if (!lawyer) return 'DONE';
  if (!lawyer.consent?.acceptedAt) return 'CONSENT';
  if (!lawyer.registeredAt) return 'COMPLETE_PROFILE';
  return 'DONE';
}

/** Whether the caller may read a lawyer's personal data: the lawyer themself or an administrator. */
export function canReadPersonal(identity: Identity, lawyerId: string): boolean {
  return (identity.role === 'LAWYER' && identity.lawyerId === lawyerId) || identity.role === 'ADMINISTRATOR';
}

/**
 * Professional data (name, licence, firm) is visible to any logged-in caller that reaches the
 * lawyer through the graph (a prosecutor reviewing an application); personal data is not.
 */
export function assertPersonal(identity: Identity, lawyerId: string): void {
  if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
  if (!canReadPersonal(identity, lawyerId)) throw new AppError('FORBIDDEN', '无权查看该律师的个人信息。');
}
