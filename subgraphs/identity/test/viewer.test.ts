import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { startIdentity, type Harness } from './harness.ts';
import { loggedIn, seedPeople, wangProsecutor, zhangSan, type People } from './fixtures.ts';

const viewerQuery = /* GraphQL */ `
  query Viewer {
    viewer {
      nextStep
      session {
        id
        role
        method
        identityVerified
        createdAt
        expiresAt
      }
      lawyer {
        id
        name
        licenceNumber
      }
      prosecutor {
        id
        name
        username
        procuratorate {
          id
        }
      }
    }
  }
`;
const nextStepQuery = /* GraphQL */ `
  query NextStep {
    viewer {
      nextStep
    }
  }
`;

describe('viewer', () => {
  let h: Harness;
  let people: People;

  beforeAll(async () => {
    h = await startIdentity('identity_viewer');
    people = await seedPeople(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('is null for an anonymous caller', async () => {
    const result = await h.call(anonymous, viewerQuery);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ viewer: null });
  });

  it('shows a scan-login lawyer their session and account, identity-verified', async () => {
    const { identity, session } = await loggedIn(h, {
      role: 'LAWYER',
      subjectId: people.zhangSanId,
      method: 'SCAN',
    });
    const result = await h.call(identity, viewerQuery);
    expect(result.errors).toBeUndefined();
    expect(result.data.viewer).toEqual({
      nextStep: 'CONSENT',
      session: {
        id: session.sessionId,
        role: 'LAWYER',
        method: 'SCAN',
        identityVerified: true,
        createdAt: session.createdAt.toISOString(),
        expiresAt: session.expiresAt.toISOString(),
      },
      lawyer: { id: people.zhangSanId, name: zhangSan.name, licenceNumber: zhangSan.licenceNumber },
      prosecutor: null,
    });
  });

  it('marks a session opened by SMS code as not identity-verified', async () => {
    const { identity } = await loggedIn(h, {
      role: 'LAWYER',
      subjectId: people.zhangSanId,
      method: 'SMS_CODE',
    });
    const result = await h.call(
      identity,
      /* GraphQL */ `
        {
          viewer {
            session {
              method
              identityVerified
            }
          }
        }
      `,
    );
    expect(result.data.viewer.session).toEqual({ method: 'SMS_CODE', identityVerified: false });
  });

  it('leads a lawyer through 授权信息, then 完善信息, then 个人中心', async () => {
    const { identity } = await loggedIn(h, {
      role: 'LAWYER',
      subjectId: people.liSiId,
      method: 'SCAN',
    });
    expect((await h.call(identity, nextStepQuery)).data.viewer.nextStep).toBe('CONSENT');

    await h.models.Lawyer.updateOne(
      { _id: people.liSiId },
      { $set: { consent: { version: '2025-01', acceptedAt: new Date() } } },
    ).exec();
    expect((await h.call(identity, nextStepQuery)).data.viewer.nextStep).toBe('COMPLETE_PROFILE');

    await h.models.Lawyer.updateOne(
      { _id: people.liSiId },
      { $set: { registeredAt: new Date(), phone: '13812345678' } },
    ).exec();
    expect((await h.call(identity, nextStepQuery)).data.viewer.nextStep).toBe('DONE');
  });

  it('shows a prosecutor their account and procuratorate, with nothing left to do', async () => {
    const { identity } = await loggedIn(h, {
      role: 'PROSECUTOR',
      subjectId: people.wangId,
      procuratorateId: wangProsecutor.procuratorateId,
      method: 'PROSECUTOR',
    });
    const result = await h.call(identity, viewerQuery);
    expect(result.errors).toBeUndefined();
    expect(result.data.viewer).toMatchObject({
      nextStep: 'DONE',
      session: { role: 'PROSECUTOR', method: 'PROSECUTOR', identityVerified: false },
      lawyer: null,
      prosecutor: {
        id: people.wangId,
        name: wangProsecutor.name,
        username: wangProsecutor.username,
        procuratorate: { id: wangProsecutor.procuratorateId },
      },
    });
  });

  it('answers an administrator with the session only', async () => {
    const { identity } = await loggedIn(h, {
      role: 'ADMINISTRATOR',
      subjectId: people.adminId,
      method: 'PASSWORD',
    });
    const result = await h.call(identity, viewerQuery);
    expect(result.errors).toBeUndefined();
    expect(result.data.viewer).toMatchObject({
      nextStep: 'DONE',
      session: { role: 'ADMINISTRATOR' },
      lawyer: null,
      prosecutor: null,
    });
  });
});
