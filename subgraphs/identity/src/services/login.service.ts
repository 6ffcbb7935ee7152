import { requireRole, requireStepUp, type Identity } from '@yuejuan/runtime';
import type {
  IdentityCollections,
  IdentityModels,
  LawyerDoc,
  SessionDoc,
} from '../models/index.ts';
import type { AuditService } from './audit.service.ts';
import { sourceKey, type ClientInfo } from './client.ts';
import { refuse } from './errors.ts';
import type { Lockout } from './lockout.ts';
import { checkPassword, type PasswordHasher } from './password.ts';
import type { IdentityPolicy } from './policy.ts';
import type { SessionService } from './session.service.ts';
import { limitRate } from './slots.ts';
import type { CodeSent, SmsCodeService } from './sms-code.service.ts';
import { check, phoneProblem } from './validation.ts';

/** What the login services (lawyers' and staff's) work with. */
export interface LoginDeps {
  models: IdentityModels;
  collections: IdentityCollections;
  policy: IdentityPolicy;
  smsCodes: SmsCodeService;
  sessions: SessionService;
  lockout: Lockout;
  audit: AuditService;
  passwords: PasswordHasher;
  now: () => Date;
}

export interface Opened {
  token: string;
  session: SessionDoc;
  lawyerId: string;
}

/**
 * A lawyer's other logins: phone + SMS code and phone + password, for registered lawyers.
 * These sessions are not identity-verified. Answers do not tell whether a phone is registered.
 */
export function createLoginService(d: LoginDeps) {
  const limitIp = (client: ClientInfo, now: Date) =>
    limitRate(
      d.collections.slots,
      'LOGIN',
      client.ip,
      d.policy.rate.loginsPerIp,
      d.policy.rate.windowSeconds,
      now,
    );

  /** The registered lawyer whose bound phone this is, if any. */
  async function lawyerByPhone(phone: string): Promise<LawyerDoc | null> {
    const binding = await d.collections.phoneBindings.findOne({ _id: phone });
    const lawyer = binding
      ? await d.models.Lawyer.findById(binding.lawyerId).lean<LawyerDoc>().exec()
      : await d.models.Lawyer.findOne({ phone }).lean<LawyerDoc>().exec(); // phones set before bindings existed
    return lawyer?.phone === phone && lawyer.registeredAt ? lawyer : null;
  }

  async function open(
    lawyer: LawyerDoc,
    method: 'SMS_CODE' | 'PASSWORD',
    client: ClientInfo,
    now: Date,
  ): Promise<Opened> {
    const opened = await d.sessions.open({ role: 'LAWYER', subjectId: lawyer._id, method }, now);
    await d.audit.record({
      kind: 'LOGIN',
      actorId: lawyer._id,
      actorRole: 'LAWYER',
      ip: client.ip,
      detail: method === 'SMS_CODE' ? 'phone + SMS code' : 'phone + password',
    });
    return { ...opened, lawyerId: lawyer._id };
  }

  return {
    /** A login code to a registered phone (the same answer, and the same limits, for any other number). */
    async requestCode(phone: string, client: ClientInfo): Promise<CodeSent> {
      const now = d.now();
      await limitIp(client, now);
      check('phone', phoneProblem(phone));
      const lawyer = await lawyerByPhone(phone);
      return d.smsCodes.send('LAWYER_LOGIN', phone, lawyer?._id ?? null, now, sourceKey(client));
    },

    /** Phone + SMS code. */
    async withCode(phone: string, code: string, client: ClientInfo): Promise<Opened> {
      const now = d.now();
      await limitIp(client, now);
      check('phone', phoneProblem(phone));
      let lawyerId: string;
      try {
        lawyerId = await d.smsCodes.verify('LAWYER_LOGIN', phone, code, now);
      } catch (err) {
        await d.audit.record({
          kind: 'LOGIN_FAILED',
          ip: client.ip,
          detail: `phone + SMS code: ${(err as { extensions?: { code?: string } }).extensions?.code}`,
        });
        throw err;
      }
      const lawyer = await d.models.Lawyer.findById(lawyerId).lean<LawyerDoc>().exec();
      if (!lawyer) throw refuse.codeInvalid();
      return open(lawyer, 'SMS_CODE', client, now);
    },

    /**
     * Phone + password; 5 failures lock this browser out of the phone's password login for 15
     * minutes (configuration; see createLockout). A phone with no password (unregistered, or
     * registered without one) is told so and no attempt is counted: the only thing that answer
     * tells apart is whether a password login exists for the number, which its owner needs to know.
     */
    async withPassword(phone: string, password: string, client: ClientInfo): Promise<Opened> {
      const now = d.now();
      await limitIp(client, now);
      check('phone', phoneProblem(phone));
      const lawyer = await lawyerByPhone(phone);
      if (!lawyer?.passwordHash) {
        await d.audit.record({
          kind: 'LOGIN_FAILED',
          actorId: lawyer?._id,
          actorRole: lawyer ? 'LAWYER' : null,
          ip: client.ip,
          detail: 'phone + password: no password set',
        });
        throw refuse.passwordNotSet();
      }
      const attempt = await d.lockout.begin(`phone:${phone}`, sourceKey(client), now);
      const checked = await d.passwords.verify(String(password ?? ''), lawyer?.passwordHash);
      if (!checked.ok) {
        await d.audit.record({
          kind: 'LOGIN_FAILED',
          actorId: lawyer?._id,
          actorRole: lawyer ? 'LAWYER' : null,
          ip: client.ip,
          detail: 'phone + password: wrong password',
        });
        return attempt.failed();
      }
      await attempt.succeeded();
      // A hash of other argon2id costs is replaced while the password is at hand.
      if (checked.rehash)
        await d.models.Lawyer.updateOne(
          { _id: lawyer!._id, passwordHash: lawyer!.passwordHash },
          { $set: { passwordHash: await d.passwords.hash(String(password)) } },
        ).exec();
      return open(lawyer!, 'PASSWORD', client, now);
    },

    /**
     * Sets, changes or resets a lawyer's password: from a scan-login session, or after a PASSWORD
     * step-up (a session opened with a phone code is how 忘记密码 starts). Other sessions end.
     */
    async setPassword(identity: Identity, newPassword: string, client: ClientInfo): Promise<void> {
      const lawyer = requireRole(identity, 'LAWYER');
      checkPassword(newPassword);
      const now = d.now();
      await requireStepUp(identity, 'PASSWORD', d.collections.stepUps, { now });
      const existing = await d.models.Lawyer.findById(lawyer.lawyerId)
        .select('passwordHash')
        .lean<{ passwordHash?: string }>()
        .exec();
      await d.models.Lawyer.updateOne(
        { _id: lawyer.lawyerId },
        { $set: { passwordHash: await d.passwords.hash(newPassword) } },
      ).exec();
      await d.sessions.revokeOthers(lawyer.lawyerId, lawyer.sessionId, now);
      const how = lawyer.verified ? 'from a scan-login session' : 'after a PASSWORD step-up';
      await d.audit.record({
        kind: 'PASSWORD_CHANGED',
        actorId: lawyer.lawyerId,
        actorRole: 'LAWYER',
        ip: client.ip,
        detail: `${existing?.passwordHash ? 'changed' : 'set'} ${how}`,
      });
    },
  };
}
export type LoginService = ReturnType<typeof createLoginService>;
