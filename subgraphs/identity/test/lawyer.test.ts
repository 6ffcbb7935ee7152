import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCommands } from '@yuejuan/runtime';
import {
  adminIdentity,
  anonymous,
  lawyerIdentity,
  prosecutorIdentity,
} from '@yuejuan/runtime/testing';
import { codes, startIdentity, type Harness } from './harness.ts';
import {
  liSi,
  seedPeople,
  seedRegister,
  wangProsecutor,
  zhangSan,
  type People,
} from './fixtures.ts';

const lawyerQuery = /* GraphQL */ `
  query Lawyer($id: ID!) {
    lawyer(id: $id) {
      id
      name
      licenceNumber
      lawFirm
      idNumberMasked
      phoneMasked
      registered
      consent {
        version
        acceptedAt
      }
    }
  }
`;
const entities = (fields: string) => /* GraphQL */ `
  query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on Lawyer { ${fields} } } }
`;
const asLawyer = (id: string) => ({ __typename: 'Lawyer', id });

describe('lawyer', () => {
  let h: Harness;
  let people: People;
  const acceptedAt = new Date('2025-03-01T08:00:00.000Z');

  beforeAll(async () => {
    h = await startIdentity('identity_lawyer');
    people = await seedPeople(h);
    await h.models.Lawyer.updateOne(
      { _id: people.zhangSanId },
      {
        $set: {
          phone: '13812345678',
          registeredAt: new Date(),
          consent: { version: '2025-01', acceptedAt },
        },
      },
    ).exec();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('shows a lawyer their own record, personal fields masked', async () => {
    const result = await h.call(lawyerIdentity(people.zhangSanId), lawyerQuery, {
      id: people.zhangSanId,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data.lawyer).toEqual({
      id: people.zhangSanId,
      name: zhangSan.name,
      licenceNumber: zhangSan.licenceNumber,
      lawFirm: zhangSan.lawFirm,
      idNumberMasked: '310104********3017',
      phoneMasked: '138****5678',
      registered: true,
      consent: { version: '2025-01', acceptedAt: acceptedAt.toISOString() },
    });
  });

  it('refuses another lawyer with FORBIDDEN', async () => {
    const result = await h.call(lawyerIdentity(people.liSiId), lawyerQuery, {
      id: people.zhangSanId,
    });
    expect(result.data?.lawyer ?? null).toBeNull();
    expect(codes(result)).toEqual(['FORBIDDEN']);
  });

  it('shows an administrator any lawyer', async () => {
    const result = await h.call(adminIdentity(people.adminId), lawyerQuery, { id: people.liSiId });
    expect(result.errors).toBeUndefined();
    expect(result.data.lawyer).toMatchObject({
      name: liSi.name,
      idNumberMasked: '340102********4021',
      phoneMasked: null,
      registered: false,
      consent: null,
    });
  });

  it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
    const result = await h.call(anonymous, lawyerQuery, { id: people.zhangSanId });
    expect(result.data?.lawyer ?? null).toBeNull();
    expect(codes(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets a prosecutor reaching a lawyer through the graph see professional data only', async () => {
    const prosecutor = prosecutorIdentity(people.wangId, wangProsecutor.procuratorateId);
    const professional = await h.call(prosecutor, entities('id name licenceNumber lawFirm'), {
      representations: [asLawyer(people.zhangSanId)],
    });
    expect(professional.errors).toBeUndefined();
    expect(professional.data._entities).toEqual([
      {
        id: people.zhangSanId,
        name: zhangSan.name,
        licenceNumber: zhangSan.licenceNumber,
        lawFirm: zhangSan.lawFirm,
      },
    ]);

    const phone = await h.call(prosecutor, entities('name phoneMasked'), {
      representations: [asLawyer(people.zhangSanId)],
    });
    expect(phone.data!._entities).toEqual([{ name: zhangSan.name, phoneMasked: null }]);
    expect(codes(phone)).toEqual(['FORBIDDEN']);

    // idNumberMasked is non-null: refusing it nulls the entity, and no digit leaks.
    const idNumber = await h.call(prosecutor, entities('name idNumberMasked'), {
      representations: [asLawyer(people.zhangSanId)],
    });
    expect(idNumber.data!._entities).toEqual([null]);
    expect(codes(idNumber)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(idNumber)).not.toContain('3017');

    const consent = await h.call(prosecutor, entities('consent { version }'), {
      representations: [asLawyer(people.zhangSanId)],
    });
    expect(codes(consent)).toEqual(['FORBIDDEN']);
  });

  it('resolves 30 lawyer references with a single find', async () => {
    const ids = await seedRegister(h, 30);
    const prosecutor = prosecutorIdentity(people.wangId, wangProsecutor.procuratorateId);
    const { result, commands } = await countCommands(h.db, () =>
      h.call(prosecutor, entities('id name licenceNumber'), { representations: ids.map(asLawyer) }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities.map((l: { id: string }) => l.id)).toEqual(ids);
    expect(commands).toEqual(['find']);
  });

  it('resolves an unknown reference to null', async () => {
    const result = await h.call(lawyerIdentity(people.zhangSanId), entities('id name'), {
      representations: [asLawyer('no-such-lawyer')],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data._entities).toEqual([null]);
  });
});
