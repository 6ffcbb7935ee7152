import { AppError, type Identity } from '@yuejuan/runtime';

/** Prosecutors act only within their procuratorate; administrators everywhere. */
export function assertProcuratorateStaff(identity: Identity, procuratorateId: string): void {
  if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
  if (identity.role === 'ADMINISTRATOR') return;
  if (identity.role === 'PROSECUTOR' && identity.procuratorateId === procuratorateId) return;
  throw new AppError('FORBIDDEN', '只能办理本院的案件和申请。');
}

/** A lawyer reads only their own records; administrators all. */
export function assertSelfOrAdmin(identity: Identity, lawyerId: string): void {
  if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
  if (identity.role === 'ADMINISTRATOR') return;
  if (identity.role === 'LAWYER' && identity.lawyerId === lawyerId) return;
  throw new AppError('FORBIDDEN', '只能查看本人的申请和案件。');
}
