import { AppError } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { LawyerDoc } from '../models/index.ts';
import { assertPersonal } from '../services/lawyer.service.ts';
import { maskPhone } from '../services/validation.ts';

const personal =
  <T>(read: (l: LawyerDoc, ctx: Context) => T) =>
  (lawyer: LawyerDoc, _: unknown, ctx: Context): T => {
    assertPersonal(ctx.identity, lawyer._id);
    return read(lawyer, ctx);
  };

export const Lawyer = {
  __resolveReference: ({ id }: { id: string }, { identity, loaders }: Context) => {
    if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
    return loaders.lawyer.load(id);
  },
  id: (l: LawyerDoc) => l._id,
  registered: (l: LawyerDoc) => !!l.registeredAt,
  idNumberMasked: personal((l) => l.idNumberMasked),
  phone: personal((l) => l.phone ?? null),
  phoneMasked: personal((l) => (l.phone ? maskPhone(l.phone) : null)),
  consent: personal((l) =>
    l.consent?.acceptedAt && l.consent.version
      ? { version: l.consent.version, acceptedAt: l.consent.acceptedAt.toISOString() }
      : null,
  ),
  hasPassword: personal((l) => !!l.passwordHash),
  devices: personal((l, { loaders }) => loaders.devicesOfLawyer.load(l._id)),
};
