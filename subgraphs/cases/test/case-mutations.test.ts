import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { codes, startCases, type Harness } from './harness.ts';
import {
  admin,
  guangdong,
  seedCase,
  seedProcuratorates,
  shanghai,
  theftCase,
  wangSh,
  zhangSan,
  zhaoGd,
} from './fixtures.ts';

const createCase = /* GraphQL */ `
  mutation CreateCase($input: CaseInput!) {
    createCase(input: $input) {
      id
      departmentCaseNumber
      caseName
      suspects
      stage
      procuratorate {
        id
      }
      readingExclusion {
        category
      }
    }
  }
`;
const setExclusion = /* GraphQL */ `
  mutation SetExclusion(
    $caseId: ID!
    $excluded: Boolean!
    $category: ReadingExclusionCategory
    $reason: String
  ) {
    setCaseReadingExclusion(
      caseId: $caseId
      excluded: $excluded
      category: $category
      reason: $reason
    ) {
      id
      readingExclusion {
        category
        reason
      }
    }
  }
`;
const robbery = {
  departmentCaseNumber: '沪检刑诉〔2025〕301号',
  caseName: '孙某抢劫案',
  suspects: [' 孙某 ', '吴某'],
  stage: 'ARREST_REVIEW',
};

describe('case mutations', () => {
  let h: Harness;
  let theftId: string;

  beforeAll(async () => {
    h = await startCases('cases_mutations');
    await seedProcuratorates(h);
    theftId = await seedCase(h, shanghai.id, theftCase);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("lets a prosecutor enter a case, stored in the prosecutor's own procuratorate", async () => {
    const result = await h.call(wangSh, createCase, { input: robbery });
    expect(result.errors).toBeUndefined();
    expect(result.data.createCase).toMatchObject({
      departmentCaseNumber: robbery.departmentCaseNumber,
      caseName: robbery.caseName,
      suspects: ['孙某', '吴某'],
      stage: 'ARREST_REVIEW',
      procuratorate: { id: shanghai.id },
      readingExclusion: null,
    });
    const stored = await h.models.Case.findById(result.data.createCase.id).lean().exec();
    expect(stored).toMatchObject({
      procuratorateId: shanghai.id,
      departmentCaseNumber: robbery.departmentCaseNumber,
      suspects: ['孙某', '吴某'],
      stage: 'ARREST_REVIEW',
    });
  });

  it('refuses a duplicate 部门受案号 in the same procuratorate with CONFLICT, but not in another one', async () => {
    const duplicate = await h.call(wangSh, createCase, {
      input: {
        ...robbery,
        departmentCaseNumber: theftCase.departmentCaseNumber,
        caseName: '另一案件',
      },
    });
    expect(duplicate.data).toBeNull();
    expect(codes(duplicate)).toEqual(['CONFLICT']);
    expect(
      await h.models.Case.countDocuments({
        procuratorateId: shanghai.id,
        departmentCaseNumber: theftCase.departmentCaseNumber,
      }).exec(),
    ).toBe(1);

    const elsewhere = await h.call(zhaoGd, createCase, {
      input: { ...robbery, departmentCaseNumber: theftCase.departmentCaseNumber },
    });
    expect(elsewhere.errors).toBeUndefined();
    expect(elsewhere.data.createCase.procuratorate).toEqual({ id: guangdong.id });
  });

  it('refuses empty suspects and blank fields with BAD_USER_INPUT, storing nothing', async () => {
    const before = await h.models.Case.countDocuments().exec();
    for (const input of [
      { ...robbery, departmentCaseNumber: 'X-1', suspects: [] },
      { ...robbery, departmentCaseNumber: 'X-2', suspects: ['  '] },
      { ...robbery, departmentCaseNumber: '   ' },
      { ...robbery, departmentCaseNumber: 'X-3', caseName: '' },
    ]) {
      const result = await h.call(wangSh, createCase, { input });
      expect(codes(result), JSON.stringify(input)).toEqual(['BAD_USER_INPUT']);
    }
    expect(await h.models.Case.countDocuments().exec()).toBe(before);
  });

  it('is for prosecutors only', async () => {
    expect(
      codes(
        await h.call(zhangSan, createCase, { input: { ...robbery, departmentCaseNumber: 'L-1' } }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(
        await h.call(admin, createCase, { input: { ...robbery, departmentCaseNumber: 'A-1' } }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(
        await h.call(anonymous, createCase, { input: { ...robbery, departmentCaseNumber: 'N-1' } }),
      ),
    ).toEqual(['UNAUTHENTICATED']);
    expect(
      await h.models.Case.countDocuments({
        departmentCaseNumber: { $in: ['L-1', 'A-1', 'N-1'] },
      }).exec(),
    ).toBe(0);
  });

  it('excludes a case from internet reading with a reason, and clears it', async () => {
    const set = await h.call(wangSh, setExclusion, {
      caseId: theftId,
      excluded: true,
      category: 'MINORS',
      reason: '涉及未成年人',
    });
    expect(set.errors).toBeUndefined();
    expect(set.data.setCaseReadingExclusion).toEqual({
      id: theftId,
      readingExclusion: { category: 'MINORS', reason: '涉及未成年人' },
    });
    expect((await h.models.Case.findById(theftId).lean().exec())?.readingExclusion).toEqual({
      category: 'MINORS',
      reason: '涉及未成年人',
    });

    const cleared = await h.call(admin, setExclusion, { caseId: theftId, excluded: false });
    expect(cleared.data.setCaseReadingExclusion.readingExclusion).toBeNull();
    expect((await h.models.Case.findById(theftId).lean().exec())?.readingExclusion).toBeUndefined();
  });

  it('refuses an exclusion without a reason, by another procuratorate or by a lawyer', async () => {
    expect(
      codes(
        await h.call(wangSh, setExclusion, {
          caseId: theftId,
          excluded: true,
          category: 'OTHER',
          reason: ' ',
        }),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(
        await h.call(zhaoGd, setExclusion, {
          caseId: theftId,
          excluded: true,
          category: 'STATE_SECRETS',
          reason: '涉密',
        }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(
        await h.call(zhangSan, setExclusion, {
          caseId: theftId,
          excluded: true,
          category: 'STATE_SECRETS',
          reason: '涉密',
        }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      codes(await h.call(wangSh, setExclusion, { caseId: 'no-such-case', excluded: false })),
    ).toEqual(['NOT_FOUND']);
    expect((await h.models.Case.findById(theftId).lean().exec())?.readingExclusion).toBeUndefined();
  });
});
