import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCommands, databaseKind } from '@yuejuan/runtime';
import { anonymous, lawyerIdentity, prosecutorIdentity } from '@yuejuan/runtime/testing';
import { codes, startCases, type Harness } from './harness.ts';
import {
  admin,
  fraudCase,
  guangdong,
  liSi,
  seedApplications,
  seedCase,
  seedCases,
  seedProcuratorates,
  shanghai,
  theftCase,
  wangSh,
  zhangSan,
  zhangSanId,
  liSiId,
  zhaoGd,
} from './fixtures.ts';

const caseQuery = /* GraphQL */ `
  query Case($id: ID!) {
    case(id: $id) {
      id
      departmentCaseNumber
      caseName
      suspects
      stage
      procuratorate {
        id
        name
      }
      readingExclusion {
        category
        reason
      }
    }
  }
`;
const findCase = /* GraphQL */ `
  query FindCase($procuratorateId: ID!, $number: String!) {
    findCase(procuratorateId: $procuratorateId, departmentCaseNumber: $number) {
      id
      departmentCaseNumber
      caseName
      procuratorate {
        id
        name
      }
    }
  }
`;
const caseEntities = /* GraphQL */ `
  query Cases($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Case {
        id
        caseName
        procuratorate {
          name
        }
      }
    }
  }
`;

describe('case access', () => {
  let h: Harness;
  let theftId: string;

  beforeAll(async () => {
    h = await startCases('cases_access');
    await seedProcuratorates(h);
    theftId = await seedCase(h, shanghai.id, theftCase);
    await seedCase(h, guangdong.id, fraudCase);
    await seedApplications(h, zhangSanId, [theftId], () => 'APPROVED');
    await seedApplications(h, liSiId, [theftId], () => 'SUBMITTED');
    await seedApplications(h, 'lawyer-revoked', [theftId], () => 'REVOKED');
  });
  afterAll(async () => {
    await h?.stop();
  });

  const theft = () => ({
    id: theftId,
    departmentCaseNumber: theftCase.departmentCaseNumber,
    caseName: theftCase.caseName,
    suspects: theftCase.suspects,
    stage: theftCase.stage,
    procuratorate: { id: shanghai.id, name: shanghai.name },
    readingExclusion: null,
  });

  it('shows a case to the prosecutors of its procuratorate and to administrators', async () => {
    for (const identity of [wangSh, prosecutorIdentity('prosecutor-sun', shanghai.id), admin]) {
      const result = await h.call(identity, caseQuery, { id: theftId });
      expect(result.errors).toBeUndefined();
      expect(result.data.case).toEqual(theft());
    }
  });

  it('shows a case to a lawyer bound to it (approved binding)', async () => {
    const result = await h.call(zhangSan, caseQuery, { id: theftId });
    expect(result.errors).toBeUndefined();
    expect(result.data.case).toEqual(theft());
  });

  it('refuses another procuratorate, a pending applicant, a revoked binding and an unrelated lawyer', async () => {
    for (const identity of [
      zhaoGd,
      liSi,
      lawyerIdentity('lawyer-revoked'),
      lawyerIdentity('lawyer-unrelated'),
    ]) {
      const result = await h.call(identity, caseQuery, { id: theftId });
      expect(result.data?.case ?? null).toBeNull();
      expect(codes(result)).toEqual(['FORBIDDEN']);
    }
  });

  it('refuses an anonymous caller and answers null for an unknown case', async () => {
    expect(codes(await h.call(anonymous, caseQuery, { id: theftId }))).toEqual(['UNAUTHENTICATED']);
    expect((await h.call(admin, caseQuery, { id: 'no-such-case' })).data).toEqual({ case: null });
  });

  it('lets a lawyer find a case by procuratorate and 部门受案号', async () => {
    const result = await h.call(liSi, findCase, {
      procuratorateId: shanghai.id,
      number: ` ${theftCase.departmentCaseNumber} `,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data.findCase).toEqual({
      id: theftId,
      departmentCaseNumber: theftCase.departmentCaseNumber,
      caseName: theftCase.caseName,
      procuratorate: { id: shanghai.id, name: shanghai.name },
    });
    expect(
      (
        await h.call(liSi, findCase, {
          procuratorateId: guangdong.id,
          number: theftCase.departmentCaseNumber,
        })
      ).data,
    ).toEqual({ findCase: null });
    // The brackets and spaces people type find the same case (issue 15).
    for (const typed of [
      '沪检刑诉[2025]101号',
      '沪检刑诉【2025】101号',
      '沪检刑诉(2025)101号',
      '沪检刑诉（2025）101号',
      '沪检刑诉 〔2025〕 101 号',
      '沪检刑诉［２０２５］１０１号',
    ]) {
      expect(
        (await h.call(liSi, findCase, { procuratorateId: shanghai.id, number: typed })).data
          .findCase?.id,
        typed,
      ).toBe(theftId);
    }
  });

  it('keeps findCase for lawyers and administrators', async () => {
    expect(
      codes(
        await h.call(wangSh, findCase, {
          procuratorateId: shanghai.id,
          number: theftCase.departmentCaseNumber,
        }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(
        await h.call(anonymous, findCase, {
          procuratorateId: shanghai.id,
          number: theftCase.departmentCaseNumber,
        }),
      ),
    ).toEqual(['UNAUTHENTICATED']);
    expect(
      (
        await h.call(admin, findCase, {
          procuratorateId: shanghai.id,
          number: theftCase.departmentCaseNumber,
        })
      ).data.findCase.id,
    ).toBe(theftId);
  });

  it('resolves 40 case references with a bounded number of commands', async () => {
    const ids = await seedCases(h, shanghai.id, 40, '沪检批量');
    const lawyer = lawyerIdentity('lawyer-batch');
    await seedApplications(h, 'lawyer-batch', ids, () => 'APPROVED');
    const representations = ids.map((id) => ({ __typename: 'Case', id }));
    for (const identity of [wangSh, lawyer]) {
      const { result, commands } = await countCommands(h.db, () =>
        h.call(identity, caseEntities, { representations }),
      );
      expect(result.errors).toBeUndefined();
      expect(result.data._entities.map((c: { id: string }) => c.id)).toEqual(ids);
      expect(result.data._entities[0].procuratorate).toEqual({ name: shanghai.name });
      // cases (1) + procuratorates (1) + the lawyer's applications for them (1; on FerretDB their
      // ids first, from the lawyer's id set: 2 more `_id` reads): never one per case.
      const ferret = (await databaseKind(h.db.getClient())) === 'ferretdb';
      expect(commands.length).toBeLessThanOrEqual(ferret ? 5 : 3);
      expect(new Set(commands)).toEqual(new Set(['find']));
    }
  });

  it('refuses case references the caller may not read', async () => {
    const result = await h.call(liSi, caseEntities, {
      representations: [{ __typename: 'Case', id: theftId }],
    });
    expect(result.data?._entities).toEqual([null]);
    expect(codes(result)).toEqual(['FORBIDDEN']);
  });
});
