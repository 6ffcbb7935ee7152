import { AppError, type Identity } from '@yuejuan/runtime';

/** Records of a lawyer and a procuratorate: the lawyer, that procuratorate's prosecutors, administrators. */
export function assertCanRead(
  identity: Identity,
  record: { lawyerId: string; procuratorateId: string },
): void {
  switch (identity.role) {
    case 'ANONYMOUS':
      throw new AppError('UNAUTHENTICATED');
    case 'ADMINISTRATOR':
      return;
    case 'LAWYER':
      if (identity.lawyerId === record.lawyerId) return;
      break;
    case 'PROSECUTOR':
      if (identity.procuratorateId === record.procuratorateId) return;
      break;
    default:
      break;
  }
  throw new AppError('FORBIDDEN', '无权查看该记录。');
}

/** A prosecutor acting on their own procuratorate's records; returns the prosecutor. */
export function assertReviewer(identity: Identity, procuratorateId: string) {
  if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
  if (identity.role !== 'PROSECUTOR') throw new AppError('FORBIDDEN', '仅检察人员可以办理。');
  if (identity.procuratorateId !== procuratorateId)
    throw new AppError('FORBIDDEN', '只能办理本院的申请和案件。');
  return identity;
}

/** The lawyer owning a record; returns the lawyer. */
export function assertOwner(identity: Identity, lawyerId: string) {
  if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
  if (identity.role !== 'LAWYER' || identity.lawyerId !== lawyerId)
    throw new AppError('FORBIDDEN', '只能办理本人的预约。');
  return identity;
}
