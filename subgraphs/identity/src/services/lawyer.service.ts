import { AppError, requireRole, type Identity } from '@yuejuan/runtime';
import type { IdentityModels, LawyerDoc } from '../models/index.ts';
import { consentText } from './consent.ts';
import { refuse } from './errors.ts';
import { check, maskPhone, phoneProblem } from './validation.ts';

/** Pages the portal shows after a login, in flow 2's order. */
export type LoginStep = 'CONSENT' | 'COMPLETE_PROFILE' | 'DONE';

/**
 * 授权信息 first (again whenever the consent text has a new version), then 完善信息 for a lawyer
 * without a portal account, then 个人中心.
 */
export function nextStep(lawyer: Pick<LawyerDoc, 'consent' | 'registeredAt'> | null): LoginStep {
  if (!lawyer) return 'DONE';
  if (!lawyer.consent?.acceptedAt || lawyer.consent.version !== consentText.version)
    return 'CONSENT';
  if (!lawyer.registeredAt) return 'COMPLETE_PROFILE';
  return 'DONE';
}

/** Whether the caller may read a lawyer's personal data: the lawyer themself or an administrator. */
export function canReadPersonal(identity: Identity, lawyerId: string): boolean {
  return (
    (identity.role === 'LAWYER' && identity.lawyerId === lawyerId) ||
    identity.role === 'ADMINISTRATOR'
  );
}

/**
 * Professional data (name, licence, firm) is visible to any logged-in caller that reaches the
 * lawyer through the graph (a prosecutor reviewing an application); personal data is not.
 */
export function assertPersonal(identity: Identity, lawyerId: string): void {
  if (identity.role === 'ANONYMOUS' || identity.role === 'SERVICE')
    throw new AppError('UNAUTHENTICATED');
  if (!canReadPersonal(identity, lawyerId))
    throw new AppError('FORBIDDEN', '无权查看该律师的个人信息。');
}

export interface ProfileInput {
  phone: string;
  email?: string | null;
  address?: string | null;
}

/** The first-login pages (授权信息, 完善信息), from an identity-verified scan session only. */
export function createProfileService(models: IdentityModels, now: () => Date) {
  async function verifiedLawyer(identity: Identity): Promise<LawyerDoc> {
    const caller = requireRole(identity, 'LAWYER');
    if (!caller.verified) throw refuse.scanSessionRequired();
    const lawyer = await models.Lawyer.findById(caller.lawyerId).lean<LawyerDoc>().exec();
    if (!lawyer) throw new AppError('UNAUTHENTICATED');
    return lawyer;
  }

  return {
    /** 授权信息 【同意】: records the version agreed to and when. */
    async acceptConsent(identity: Identity, version: string): Promise<LawyerDoc> {
      const lawyer = await verifiedLawyer(identity);
      if (version !== consentText.version) throw refuse.consentOutdated(consentText.version);
      const consent = { version, acceptedAt: now() };
      await models.Lawyer.updateOne({ _id: lawyer._id }, { $set: { consent } }).exec();
      return { ...lawyer, consent };
    },

    /** 完善信息 【提交】: the portal account, with the verifier's bound phone. */
    async completeProfile(identity: Identity, input: ProfileInput): Promise<LawyerDoc> {
      const lawyer = await verifiedLawyer(identity);
      if (nextStep(lawyer) === 'CONSENT') throw refuse.consentRequired();
      if (lawyer.registeredAt) throw refuse.alreadyRegistered();
      check('phone', phoneProblem(input.phone));
      if (input.phone !== lawyer.phone)
        throw refuse.profilePhoneMismatch(lawyer.phone ? maskPhone(lawyer.phone) : '未绑定');
      const email = input.email?.trim() || undefined;
      if (email && (email.length > 100 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)))
        throw new AppError('BAD_USER_INPUT', '电子邮箱格式不正确。', { field: 'email' });
      const address = input.address?.trim() || undefined;
      if (address && address.length > 200)
        throw new AppError('BAD_USER_INPUT', '通讯地址不能超过200个字符。', { field: 'address' });
      const registeredAt = now();
      await models.Lawyer.updateOne(
        { _id: lawyer._id },
        { $set: { registeredAt, ...(email ? { email } : {}), ...(address ? { address } : {}) } },
      ).exec();
      return { ...lawyer, registeredAt, email, address };
    },
  };
}
export type ProfileService = ReturnType<typeof createProfileService>;
