import { AppError, requireRole, type Identity } from '@yuejuan/runtime';
import type { AdministratorDoc, ProsecutorDoc, SessionDoc } from '../models/index.ts';
import { sourceKey, type ClientInfo } from './client.ts';
import { refuse } from './errors.ts';
import type { LoginDeps } from './login.service.ts';
import { checkPassword } from './password.ts';
import { limitRate } from './slots.ts';
import type { CodeSent } from './sms-code.service.ts';

/** Prosecutors and administrators: accounts with a username, a password and a phone for codes. */
export type StaffRole = 'PROSECUTOR' | 'ADMINISTRATOR';
type Account = (ProsecutorDoc | AdministratorDoc) & {
  phone?: string | null;
  passwordHash?: string | null;
};

const purposeOf = { PROSECUTOR: 'PROSECUTOR_LOGIN', ADMINISTRATOR: 'ADMINISTRATOR_LOGIN' } as const;

/**
 * Staff logins: username + password, then an SMS code to the account's phone, then both again
 * with the code. Password failures lock the username (the same for unknown usernames, so the
 * answers do not tell which exist). Passwords are set by import, by an administrator (for a
 * prosecutor) or by the account itself.
 */
export function createStaffLoginService(d: LoginDeps) {
  const model = (role: StaffRole) =>
    (role === 'PROSECUTOR'
      ? d.models.Prosecutor
      : d.models.Administrator) as unknown as typeof d.models.Administrator;
  const find = async (role: StaffRole, username: string) =>
    typeof username === 'string' && username.length <= 32
      ? model(role).findOne({ username: username.trim().toLowerCase() }).lean<Account>().exec()
      : null;

  /** Checks username + password under the lockout; returns the account. */
  async function authenticate(
    role: StaffRole,
    username: string,
    password: string,
    client: ClientInfo,
    now: Date,
  ): Promise<Account> {
    await limitRate(
      d.collections.slots,
      'LOGIN',
      client.ip,
      d.policy.rate.loginsPerIp,
      d.policy.rate.windowSeconds,
      now,
    );
    const key = `${role}:${String(username ?? '')
      .trim()
      .toLowerCase()
      .slice(0, 32)}`;
    const attempt = await d.lockout.begin(key, sourceKey(client), now);
    const account = await find(role, username);
    const checked = await d.passwords.verify(String(password ?? ''), account?.passwordHash);
    if (!checked.ok) {
      await d.audit.record({
        kind: 'LOGIN_FAILED',
        actorId: account?._id,
        actorRole: account ? role : null,
        ip: client.ip,
        detail: `${role.toLowerCase()} login: wrong username or password`,
      });
      return attempt.failed();
    }
    await attempt.succeeded();
    // A hash of other argon2id costs is replaced while the password is at hand.
    if (checked.rehash)
      await model(role)
        .updateOne(
          { _id: account!._id, passwordHash: account!.passwordHash },
          { $set: { passwordHash: await d.passwords.hash(String(password)) } },
        )
        .exec();
    return account!;
  }

  async function setHash(role: StaffRole, id: string, password: string) {
    await model(role)
      .updateOne({ _id: id }, { $set: { passwordHash: await d.passwords.hash(password) } })
      .exec();
  }

  return {
    /** Step 1: the password is right, so a code goes to the account's phone. */
    async requestCode(
      role: StaffRole,
      username: string,
      password: string,
      client: ClientInfo,
    ): Promise<CodeSent> {
      const now = d.now();
      const account = await authenticate(role, username, password, client, now);
      if (!account.phone) throw refuse.phoneRequired();
      return d.smsCodes.send(purposeOf[role], account.phone, account._id, now, sourceKey(client));
    },

    /** Step 2: password and code; opens the staff session. */
    async login(
      role: StaffRole,
      username: string,
      password: string,
      smsCode: string,
      client: ClientInfo,
    ): Promise<{ token: string; session: SessionDoc }> {
      const now = d.now();
      const account = await authenticate(role, username, password, client, now);
      if (!account.phone) throw refuse.phoneRequired();
      try {
        await d.smsCodes.verify(purposeOf[role], account.phone, smsCode, now, account._id);
      } catch (err) {
        await d.audit.record({
          kind: 'LOGIN_FAILED',
          actorId: account._id,
          actorRole: role,
          ip: client.ip,
          detail: `${role.toLowerCase()} login: ${(err as AppError).extensions?.code}`,
        });
        throw err;
      }
      const procuratorateId =
        role === 'PROSECUTOR' ? (account as ProsecutorDoc).procuratorateId : undefined;
      const opened = await d.sessions.open(
        { role, subjectId: account._id, procuratorateId, method: role },
        now,
      );
      await d.audit.record({
        kind: 'LOGIN',
        actorId: account._id,
        actorRole: role,
        ip: client.ip,
        detail: 'username + password + SMS code',
      });
      return opened;
    },

    /** An administrator sets a prosecutor's password (initial or reset); the prosecutor's sessions end. */
    async setProsecutorPassword(
      identity: Identity,
      prosecutorId: string,
      newPassword: string,
      client: ClientInfo,
    ): Promise<void> {
      const admin = requireRole(identity, 'ADMINISTRATOR');
      checkPassword(newPassword);
      const prosecutor = await d.models.Prosecutor.findById(prosecutorId)
        .lean<ProsecutorDoc>()
        .exec();
      if (!prosecutor) throw new AppError('NOT_FOUND', '未找到该检察人员。');
      await setHash('PROSECUTOR', prosecutor._id, newPassword);
      await d.sessions.revokeOthers(prosecutor._id, '', d.now());
      await d.audit.record({
        kind: 'PASSWORD_CHANGED',
        actorId: prosecutor._id,
        actorRole: 'PROSECUTOR',
        ip: client.ip,
        detail: `set by administrator ${admin.administratorId}`,
      });
    },

    /** A prosecutor or administrator changes their own password; their other sessions end. */
    async changeOwnPassword(
      identity: Identity,
      currentPassword: string,
      newPassword: string,
      client: ClientInfo,
    ): Promise<void> {
      const staff = requireRole(identity, 'PROSECUTOR', 'ADMINISTRATOR');
      const id = staff.role === 'PROSECUTOR' ? staff.prosecutorId : staff.administratorId;
      const account = await model(staff.role).findById(id).lean<Account>().exec();
      if (!account) throw new AppError('UNAUTHENTICATED');
      checkPassword(newPassword);
      await this.verifyCurrent(staff.role, account, currentPassword, client);
      await setHash(staff.role, id, newPassword);
      await d.sessions.revokeOthers(id, staff.sessionId, d.now());
      await d.audit.record({
        kind: 'PASSWORD_CHANGED',
        actorId: id,
        actorRole: staff.role,
        ip: client.ip,
        detail: 'changed by the account holder',
      });
    },

    /** The current password, under the same lockout as the login. */
    async verifyCurrent(
      role: StaffRole,
      account: Account,
      password: string,
      client: ClientInfo,
    ): Promise<void> {
      await authenticate(role, account.username, password, client, d.now());
    },
  };
}
export type StaffLoginService = ReturnType<typeof createStaffLoginService>;
