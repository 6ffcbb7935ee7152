import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { createPasswordHasher } from '../src/services/password.ts';
import { codes, startIdentity, type Harness } from './harness.ts';
import { seedPeople, wangProsecutor, zhangSan, type People } from './fixtures.ts';
import { activate, type Verifier } from './verifier.ts';

const withPassword = /* GraphQL */ `
  mutation Login($phone: String!, $password: String!) {
    loginWithPassword(phone: $phone, password: $password) {
      token
    }
  }
`;
const requestProsecutorCode = /* GraphQL */ `
  mutation R($u: String!, $p: String!) {
    requestProsecutorSmsCode(username: $u, password: $p) {
      phoneMasked
    }
  }
`;

describe('password hasher (argon2id)', () => {
  const hasher = createPasswordHasher({ memoryKiB: 4096, timeCost: 1, parallelism: 1 });

  it('stores argon2id with its costs, checks the right password and refuses a wrong, missing or malformed one', async () => {
    const stored = await hasher.hash('Right2025pass');
    expect(stored).toMatch(
      /^\$argon2id\$v=19\$m=4096,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(await hasher.hash('Right2025pass')).not.toBe(stored); // a fresh salt each time
    expect(await hasher.verify('Right2025pass', stored)).toEqual({ ok: true, rehash: false });
    expect(await hasher.verify('Wrong2025pass', stored)).toEqual({ ok: false, rehash: false });
    expect(await hasher.verify('Right2025pass', null)).toEqual({ ok: false, rehash: false });
    expect(await hasher.verify('Right2025pass', '$argon2id$v=19$m=4096,t=1,p=1$broken')).toEqual({
      ok: false,
      rehash: false,
    });
    expect(await hasher.verify('x'.repeat(300), stored)).toEqual({ ok: false, rehash: false });
  });

  it('accepts an argon2id hash of other costs, asking for a rehash, and nothing but argon2id', async () => {
    expect(await hasher.verify('Right2025pass', 'scrypt$32768$8$1$c2FsdA$aGFzaA')).toEqual({
      ok: false,
      rehash: false,
    });
    const cheaper = await createPasswordHasher({
      memoryKiB: 2048,
      timeCost: 1,
      parallelism: 1,
    }).hash('Right2025pass');
    expect(await hasher.verify('Right2025pass', cheaper)).toEqual({ ok: true, rehash: true });
  });
});

describe('passwords in the identity subgraph: configured costs, older costs upgraded at login', () => {
  let h: Harness;
  let people: People;
  let zhang: Verifier;

  beforeAll(async () => {
    h = await startIdentity('identity_passwords', {
      env: {
        PASSWORD_HASH_MEMORY_KIB: '8192',
        PASSWORD_HASH_TIME_COST: '3',
        PASSWORD_HASH_PARALLELISM: '2',
      },
    });
    people = await seedPeople(h);
    zhang = await activate(h, zhangSan, '13300000007');
    await h.models.Lawyer.updateOne(
      { _id: people.zhangSanId },
      { $set: { registeredAt: new Date() } },
    ).exec();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const lawyerHash = async () =>
    (await h.models.Lawyer.findById(people.zhangSanId).lean().exec())?.passwordHash;
  /** A hash made under earlier (cheaper) costs, as stored before the configuration changed. */
  const olderHash = (password: string) =>
    createPasswordHasher({ memoryKiB: 4096, timeCost: 1, parallelism: 1 }).hash(password);

  it('hashes with the configured argon2id costs (import path, as the demo seed uses it)', async () => {
    await h.services.registry.importProsecutor({
      ...wangProsecutor,
      initialPassword: 'Wang2025init',
    });
    const stored = (await h.models.Prosecutor.findById(people.wangId).lean().exec())?.passwordHash;
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=8192,t=3,p=2\$/);
    expect(
      (await h.call(anonymous, requestProsecutorCode, { u: 'wang.sh', p: 'Wang2025init' })).errors,
    ).toBeUndefined();
  });

  it('refuses a wrong password against a hash of older costs and leaves the hash alone', async () => {
    const older = await olderHash('Zhang2025old');
    await h.models.Lawyer.updateOne(
      { _id: people.zhangSanId },
      { $set: { passwordHash: older } },
    ).exec();
    expect(
      codes(
        await h.call(anonymous, withPassword, { phone: zhang.phone, password: 'Zhang2025bad' }),
      ),
    ).toEqual(['INVALID_CREDENTIALS']);
    expect(await lawyerHash()).toBe(older);
  });

  it('logs a lawyer in with a hash of older costs and replaces it with the configured costs, which works next time', async () => {
    const login = await h.call(anonymous, withPassword, {
      phone: zhang.phone,
      password: 'Zhang2025old',
    });
    expect(login.data?.loginWithPassword.token).toBeTruthy();
    const upgraded = await lawyerHash();
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=8192,t=3,p=2\$/);
    expect(
      (await h.call(anonymous, withPassword, { phone: zhang.phone, password: 'Zhang2025old' }))
        .errors,
    ).toBeUndefined();
    expect(await lawyerHash()).toBe(upgraded); // already current: not rehashed again
    expect(
      codes(
        await h.call(anonymous, withPassword, { phone: zhang.phone, password: 'Zhang2025bad' }),
      ),
    ).toEqual(['INVALID_CREDENTIALS']);
  });

  it("upgrades a staff account's hash of older costs on a successful password check", async () => {
    await h.models.Prosecutor.updateOne(
      { _id: people.wangId },
      { $set: { passwordHash: await olderHash('Wang2025old') } },
    ).exec();
    h.clock.advance(61); // the SMS resend interval of the code sent above
    expect(
      (await h.call(anonymous, requestProsecutorCode, { u: 'wang.sh', p: 'Wang2025old' })).errors,
    ).toBeUndefined();
    expect((await h.models.Prosecutor.findById(people.wangId).lean().exec())?.passwordHash).toMatch(
      /^\$argon2id\$v=19\$m=8192,t=3,p=2\$/,
    );
  });
});
