import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCommands } from '@yuejuan/runtime';
import { anonymous } from '@yuejuan/runtime/testing';
import { tokenDigest } from '../src/services/session.service.ts';
import { startIdentity, type Harness } from './harness.ts';
import { loggedIn, seedPeople, type People } from './fixtures.ts';

const hour = 3600_000;

describe('sessions', () => {
  let h: Harness;
  let people: People;

  beforeAll(async () => {
    h = await startIdentity('identity_sessions');
    people = await seedPeople(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('stores only the digest of a token and resolves it to the lawyer', async () => {
    const { token, session } = await h.services.sessions.open({
      role: 'LAWYER',
      subjectId: people.zhangSanId,
      method: 'SCAN',
    });
    const stored = await h.db.collection('sessions').findOne({ sessionId: session.sessionId });
    expect(stored?._id).toBe(tokenDigest(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(await h.services.sessions.resolve(token)).toEqual({
      role: 'LAWYER',
      sessionId: session.sessionId,
      lawyerId: people.zhangSanId,
      verified: true,
    });
  });

  it('logout revokes the current session only', async () => {
    const current = await loggedIn(h, { role: 'LAWYER', subjectId: people.liSiId, method: 'SCAN' });
    const otherDevice = await loggedIn(h, {
      role: 'LAWYER',
      subjectId: people.liSiId,
      method: 'SMS_CODE',
    });

    const result = await h.call(
      current.identity,
      /* GraphQL */ `
        mutation Logout {
          logout
        }
      `,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ logout: true });

    expect(await h.services.sessions.resolve(current.token)).toBeNull();
    const stored = await h.models.Session.findOne({ sessionId: current.session.sessionId })
      .lean()
      .exec();
    expect(stored?.revokedAt).toBeInstanceOf(Date);
    expect(await h.services.sessions.resolve(otherDevice.token)).toMatchObject({
      role: 'LAWYER',
      lawyerId: people.liSiId,
      verified: false,
    });
  });

  it('logout without a session answers false', async () => {
    const result = await h.call(
      anonymous,
      /* GraphQL */ `
        mutation Logout {
          logout
        }
      `,
    );
    expect(result.data).toEqual({ logout: false });
  });

  it('resolves an expired session to null', async () => {
    const { token } = await h.services.sessions.open(
      { role: 'LAWYER', subjectId: people.zhangSanId, method: 'SCAN' },
      new Date(Date.now() - 3 * hour),
    );
    expect(await h.services.sessions.resolve(token)).toBeNull();

    const fresh = await h.services.sessions.open({
      role: 'LAWYER',
      subjectId: people.zhangSanId,
      method: 'SCAN',
    });
    expect(
      await h.services.sessions.resolve(
        fresh.token,
        new Date(Date.now() + h.config.SESSION_TTL_SECONDS * 1000 + 1000),
      ),
    ).toBeNull();
  });

  it('keeps a scan session identity-verified only inside the verified window', async () => {
    const { token } = await h.services.sessions.open({
      role: 'LAWYER',
      subjectId: people.zhangSanId,
      method: 'SCAN',
    });
    const later = new Date(Date.now() + (h.config.SCAN_VERIFIED_WINDOW_SECONDS + 60) * 1000);
    expect(await h.services.sessions.resolve(token, later)).toMatchObject({
      role: 'LAWYER',
      verified: false,
    });
  });

  it('resolves unknown, empty and oversized tokens to null', async () => {
    expect(await h.services.sessions.resolve('x'.repeat(43))).toBeNull();
    expect(await h.services.sessions.resolve('')).toBeNull();
    expect(await h.services.sessions.resolve('x'.repeat(500))).toBeNull();
  });

  it("resolves a lawyer's session, step-ups included, with one read by _id (the gateway does it on every request)", async () => {
    const { token, session } = await h.services.sessions.open({
      role: 'LAWYER',
      subjectId: people.zhangSanId,
      method: 'SMS_CODE',
    });
    await h.services.sessions.addStepUp(session.sessionId, {
      id: 'c1',
      purpose: 'BIND_CASE',
      confirmedAt: new Date(),
      deviceId: 'd1',
    });
    const { result, commands } = await countCommands(h.db, () =>
      h.services.sessions.resolve(token),
    );
    expect(result).toMatchObject({
      verified: false,
      stepUps: [{ id: 'c1', purpose: 'BIND_CASE' }],
    });
    expect(commands).toEqual(['find']);
  });

  it('resolves prosecutor and administrator sessions to their identities', async () => {
    const p = await h.services.sessions.open({
      role: 'PROSECUTOR',
      subjectId: people.wangId,
      procuratorateId: 'SH-310000',
      method: 'PROSECUTOR',
    });
    expect(await h.services.sessions.resolve(p.token)).toEqual({
      role: 'PROSECUTOR',
      sessionId: p.session.sessionId,
      prosecutorId: people.wangId,
      procuratorateId: 'SH-310000',
    });
    const a = await h.services.sessions.open({
      role: 'ADMINISTRATOR',
      subjectId: people.adminId,
      method: 'PASSWORD',
    });
    expect(await h.services.sessions.resolve(a.token)).toEqual({
      role: 'ADMINISTRATOR',
      sessionId: a.session.sessionId,
      administratorId: people.adminId,
    });
  });
});
