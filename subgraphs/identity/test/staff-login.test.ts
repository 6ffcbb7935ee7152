import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminIdentity,
  anonymous,
  lawyerIdentity,
  prosecutorIdentity,
} from '@yuejuan/runtime/testing';
import { codes, startIdentity, type Harness } from './harness.ts';
import { seedPeople, wangProsecutor, zhaoProsecutor, type People } from './fixtures.ts';

const requestProsecutorCode = /* GraphQL */ `
  mutation R($u: String!, $p: String!) {
    requestProsecutorSmsCode(username: $u, password: $p) {
      phoneMasked
    }
  }
`;
const prosecutorLogin = /* GraphQL */ `
  mutation L($u: String!, $p: String!, $c: String!) {
    prosecutorLogin(username: $u, password: $p, smsCode: $c) {
      token
      nextStep
      session {
        role
        method
        identityVerified
      }
    }
  }
`;
const requestAdminCode = /* GraphQL */ `
  mutation R($u: String!, $p: String!) {
    requestAdministratorSmsCode(username: $u, password: $p) {
      phoneMasked
    }
  }
`;
const adminLogin = /* GraphQL */ `
  mutation L($u: String!, $p: String!, $c: String!) {
    administratorLogin(username: $u, password: $p, smsCode: $c) {
      token
      session {
        role
        method
      }
    }
  }
`;
const setProsecutorPassword = /* GraphQL */ `
  mutation S($id: ID!, $p: String!) {
    setProsecutorPassword(prosecutorId: $id, newPassword: $p)
  }
`;
const changeOwn = /* GraphQL */ `
  mutation C($old: String!, $p: String!) {
    changeStaffPassword(currentPassword: $old, newPassword: $p)
  }
`;

describe('prosecutor and administrator logins (username + password + SMS code)', () => {
  let h: Harness;
  let people: People;

  beforeAll(async () => {
    h = await startIdentity('identity_staff');
    people = await seedPeople(h);
    await h.services.registry.importProsecutor({
      ...wangProsecutor,
      initialPassword: 'Wang2025init',
    });
    await h.services.registry.importAdministrator({
      name: '平台管理员',
      username: 'admin',
      phone: '13911112222',
      initialPassword: 'Admin2025init',
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('logs a prosecutor in with the imported initial password and an SMS code to their phone', async () => {
    const stored = await h.models.Prosecutor.findById(people.wangId).lean().exec();
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const sent = await h.call(anonymous, requestProsecutorCode, {
      u: 'Wang.SH',
      p: 'Wang2025init',
    });
    expect(sent.data.requestProsecutorSmsCode).toEqual({ phoneMasked: '139****1111' });
    expect(h.sms.sent.at(-1)).toMatchObject({
      phone: wangProsecutor.phone,
      kind: 'PROSECUTOR_LOGIN_CODE',
    });

    const login = await h.call(anonymous, prosecutorLogin, {
      u: 'wang.sh',
      p: 'Wang2025init',
      c: h.sms.lastCode(wangProsecutor.phone),
    });
    expect(login.data.prosecutorLogin).toMatchObject({
      nextStep: 'DONE',
      session: { role: 'PROSECUTOR', method: 'PROSECUTOR', identityVerified: false },
    });
    expect(
      await h.services.sessions.resolve(login.data.prosecutorLogin.token, h.clock.now()),
    ).toMatchObject({
      role: 'PROSECUTOR',
      prosecutorId: people.wangId,
      procuratorateId: wangProsecutor.procuratorateId,
    });
    expect(
      await h.models.AuditEvent.findOne({
        kind: 'LOGIN',
        actorId: people.wangId,
        actorRole: 'PROSECUTOR',
      })
        .lean()
        .exec(),
    ).toBeTruthy();
  });

  it('does not re-set an initial password on re-import', async () => {
    const before = (await h.models.Prosecutor.findById(people.wangId).lean().exec())?.passwordHash;
    await h.services.registry.importProsecutor({
      ...wangProsecutor,
      initialPassword: 'Other2025init',
    });
    expect((await h.models.Prosecutor.findById(people.wangId).lean().exec())?.passwordHash).toBe(
      before,
    );
    await expect(
      h.services.registry.importProsecutor({ ...wangProsecutor, initialPassword: 'short' }),
    ).rejects.toMatchObject({ extensions: { field: 'initialPassword' } });
  });

  it('answers a wrong password, an unknown username and a wrong code alike, and needs all three', async () => {
    expect(
      codes(await h.call(anonymous, requestProsecutorCode, { u: 'wang.sh', p: 'Wrong2025' })),
    ).toEqual(['INVALID_CREDENTIALS']);
    expect(
      codes(await h.call(anonymous, requestProsecutorCode, { u: 'nobody', p: 'Wang2025init' })),
    ).toEqual(['INVALID_CREDENTIALS']);
    expect(
      codes(
        await h.call(anonymous, prosecutorLogin, { u: 'wang.sh', p: 'Wrong2025', c: '123456' }),
      ),
    ).toEqual(['INVALID_CREDENTIALS']);
    h.clock.advance(61);
    await h.call(anonymous, requestProsecutorCode, { u: 'wang.sh', p: 'Wang2025init' });
    const code = h.sms.lastCode(wangProsecutor.phone);
    expect(
      codes(
        await h.call(anonymous, prosecutorLogin, {
          u: 'wang.sh',
          p: 'Wang2025init',
          c: code === '000000' ? '000001' : '000000',
        }),
      ),
    ).toEqual(['CODE_INVALID']);
    expect(
      codes(await h.call(anonymous, prosecutorLogin, { u: 'wang.sh', p: 'Wrong2025', c: code })),
    ).toEqual(['INVALID_CREDENTIALS']);
    expect(
      (await h.call(anonymous, prosecutorLogin, { u: 'wang.sh', p: 'Wang2025init', c: code }))
        .errors,
    ).toBeUndefined();
  });

  it('refuses a prosecutor without a password or without a phone', async () => {
    expect(
      codes(
        await h.call(anonymous, requestProsecutorCode, {
          u: zhaoProsecutor.username,
          p: 'Anything2025',
        }),
      ),
    ).toEqual(['INVALID_CREDENTIALS']);
    await h.call(adminIdentity(people.adminId), setProsecutorPassword, {
      id: people.zhaoId,
      p: 'Zhao2025pass',
    });
    expect(
      codes(
        await h.call(anonymous, requestProsecutorCode, {
          u: zhaoProsecutor.username,
          p: 'Zhao2025pass',
        }),
      ),
    ).toEqual(['PHONE_REQUIRED']);
  });

  it("lets only an administrator set a prosecutor password, which ends the prosecutor's sessions", async () => {
    const session = await h.services.sessions.open({
      role: 'PROSECUTOR',
      subjectId: people.wangId,
      procuratorateId: wangProsecutor.procuratorateId,
      method: 'PROSECUTOR',
    });
    expect(
      codes(
        await h.call(
          prosecutorIdentity(people.wangId, wangProsecutor.procuratorateId),
          setProsecutorPassword,
          { id: people.wangId, p: 'Mine2025pass' },
        ),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(
        await h.call(lawyerIdentity(people.zhangSanId), setProsecutorPassword, {
          id: people.wangId,
          p: 'Mine2025pass',
        }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(
        await h.call(adminIdentity(people.adminId), setProsecutorPassword, {
          id: people.wangId,
          p: 'weak',
        }),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(
        await h.call(adminIdentity(people.adminId), setProsecutorPassword, {
          id: 'no-such-prosecutor',
          p: 'Reset2025pass',
        }),
      ),
    ).toEqual(['NOT_FOUND']);
    expect(
      (
        await h.call(adminIdentity(people.adminId), setProsecutorPassword, {
          id: people.wangId,
          p: 'Reset2025pass',
        })
      ).data,
    ).toEqual({ setProsecutorPassword: true });
    expect(await h.services.sessions.resolve(session.token)).toBeNull();
    expect(
      await h.models.AuditEvent.findOne({
        kind: 'PASSWORD_CHANGED',
        actorId: people.wangId,
        detail: new RegExp(people.adminId),
      })
        .lean()
        .exec(),
    ).toBeTruthy();
    h.clock.advance(61);
    expect(
      (await h.call(anonymous, requestProsecutorCode, { u: 'wang.sh', p: 'Reset2025pass' })).errors,
    ).toBeUndefined();
  });

  it('logs an administrator in the same way, and lets staff change their own password', async () => {
    await h.call(anonymous, requestAdminCode, { u: 'admin', p: 'Admin2025init' });
    const login = await h.call(anonymous, adminLogin, {
      u: 'admin',
      p: 'Admin2025init',
      c: h.sms.lastCode('13911112222'),
    });
    expect(login.data.administratorLogin.session).toEqual({
      role: 'ADMINISTRATOR',
      method: 'ADMINISTRATOR',
    });
    const identity = (await h.services.sessions.resolve(
      login.data.administratorLogin.token,
      h.clock.now(),
    ))!;
    const other = await h.services.sessions.open({
      role: 'ADMINISTRATOR',
      subjectId: people.adminId,
      method: 'ADMINISTRATOR',
    });

    expect(
      codes(await h.call(identity, changeOwn, { old: 'Wrong2025', p: 'Admin2026next' })),
    ).toEqual(['INVALID_CREDENTIALS']);
    expect(
      (await h.call(identity, changeOwn, { old: 'Admin2025init', p: 'Admin2026next' })).data,
    ).toEqual({ changeStaffPassword: true });
    expect(await h.services.sessions.resolve(other.token)).toBeNull();
    expect(
      await h.services.sessions.resolve(login.data.administratorLogin.token, h.clock.now()),
    ).toMatchObject({ role: 'ADMINISTRATOR' });
    expect(
      codes(await h.call(anonymous, requestAdminCode, { u: 'admin', p: 'Admin2025init' })),
    ).toEqual(['INVALID_CREDENTIALS']);
    expect(
      codes(
        await h.call(lawyerIdentity(people.zhangSanId), changeOwn, {
          old: 'x',
          p: 'Admin2026next',
        }),
      ),
    ).toEqual(['FORBIDDEN']);
  });
});
