import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminIdentity,
  anonymous,
  lawyerIdentity,
  prosecutorIdentity,
} from '@yuejuan/runtime/testing';
import { consentText } from '../src/services/consent.ts';
import { codes, startIdentity, type Harness } from './harness.ts';
import { seedPeople, wangProsecutor, zhaoProsecutor, type People } from './fixtures.ts';

const prosecutorQuery = /* GraphQL */ `
  query Prosecutor($id: ID!) {
    prosecutor(id: $id) {
      id
      name
      username
      procuratorate {
        id
      }
    }
  }
`;

describe('prosecutor and consent text', () => {
  let h: Harness;
  let people: People;

  beforeAll(async () => {
    h = await startIdentity('identity_prosecutor');
    people = await seedPeople(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('shows a prosecutor their own account and procuratorate', async () => {
    const result = await h.call(
      prosecutorIdentity(people.wangId, wangProsecutor.procuratorateId),
      prosecutorQuery,
      { id: people.wangId },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.prosecutor).toEqual({
      id: people.wangId,
      name: wangProsecutor.name,
      username: wangProsecutor.username,
      procuratorate: { id: wangProsecutor.procuratorateId },
    });
  });

  it('shows an administrator any prosecutor', async () => {
    const result = await h.call(adminIdentity(people.adminId), prosecutorQuery, {
      id: people.zhaoId,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data.prosecutor).toMatchObject({
      username: zhaoProsecutor.username,
      procuratorate: { id: zhaoProsecutor.procuratorateId },
    });
  });

  it('refuses another prosecutor and a lawyer with FORBIDDEN, an anonymous caller with UNAUTHENTICATED', async () => {
    const other = await h.call(
      prosecutorIdentity(people.zhaoId, zhaoProsecutor.procuratorateId),
      prosecutorQuery,
      { id: people.wangId },
    );
    expect(other.data?.prosecutor ?? null).toBeNull();
    expect(codes(other)).toEqual(['FORBIDDEN']);
    expect(
      codes(
        await h.call(lawyerIdentity(people.zhangSanId), prosecutorQuery, { id: people.wangId }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(codes(await h.call(anonymous, prosecutorQuery, { id: people.wangId }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('answers null for an unknown prosecutor', async () => {
    const result = await h.call(adminIdentity(people.adminId), prosecutorQuery, {
      id: 'no-such-prosecutor',
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ prosecutor: null });
  });

  it('serves the versioned 授权信息 text', async () => {
    const result = await h.call(
      anonymous,
      /* GraphQL */ `
        {
          currentConsentText {
            version
            items
            body
          }
        }
      `,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.currentConsentText).toEqual(consentText);
    expect(result.data.currentConsentText.items).toEqual([
      '姓名',
      '身份证号',
      '执业证号',
      '律师事务所',
      '手机号码',
    ]);
    expect(result.data.currentConsentText.version).toMatch(/\S/);
  });
});
