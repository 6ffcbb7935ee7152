import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCases, type Harness } from './harness.ts';
import { seedProcuratorates, shanghai, theftCase } from './fixtures.ts';

describe('case import', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCases('cases_import');
    await seedProcuratorates(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('is keyed by (procuratorate, 部门受案号), and a row without exclusion clears an earlier one', async () => {
    const excluded = {
      ...theftCase,
      readingExclusion: { category: 'MINORS', reason: '犯罪嫌疑人系未成年人' },
    };
    expect(await h.services.cases.importCase(shanghai.id, excluded)).toBe('created');
    expect(
      (await h.models.Case.findOne({ departmentCaseNumber: theftCase.departmentCaseNumber })
        .lean()
        .exec())!.readingExclusion,
    ).toEqual(excluded.readingExclusion);
    expect(
      await h.services.cases.importCase(shanghai.id, {
        ...theftCase,
        caseName: '李某盗窃案（更正）',
      }),
    ).toBe('updated');
    const stored = await h.models.Case.find({
      departmentCaseNumber: theftCase.departmentCaseNumber,
    })
      .lean()
      .exec();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.caseName).toBe('李某盗窃案（更正）');
    expect(stored[0]!.readingExclusion).toBeUndefined();
  });
});
