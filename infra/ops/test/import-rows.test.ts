import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRows, readRows } from '../src/index.ts';
import {
  casesCsv,
  casesCsvErrors,
  idNumber,
  lawyersCsv,
  lawyersCsvErrors,
  openServices,
  procuratoratesCsv,
  tempFiles,
  wuMing,
  xuLi,
} from './fixtures.ts';

describe('importRows: register and case files through the subgraphs’ services', () => {
  let db: Awaited<ReturnType<typeof openServices>>;
  let files: Awaited<ReturnType<typeof tempFiles>>;
  beforeAll(async () => {
    db = await openServices('import');
    files = await tempFiles();
  });
  afterAll(async () => {
    await db.drop();
    await files.cleanup();
  });

  it('stores the good lawyer rows and reports each bad one with its line and reason', async () => {
    const read = await readRows(await files.write('lawyers.csv', lawyersCsv));
    expect(read.errors).toEqual([]);

    const result = await importRows('lawyers', read.rows, db);

    expect(result).toEqual({ created: 2, updated: 0, errors: lawyersCsvErrors });
    const stored = await db.identity.models.Lawyer.find().sort({ licenceNumber: 1 }).lean().exec();
    expect(stored.map((l) => [l.licenceNumber, l.name, l.lawFirm, l.idNumberMasked])).toEqual([
      [
        wuMing.licenceNumber,
        wuMing.name,
        wuMing.lawFirm,
        `${wuMing.idNumber.slice(0, 6)}********${wuMing.idNumber.slice(-4)}`,
      ],
      [
        xuLi.licenceNumber,
        xuLi.name,
        xuLi.lawFirm,
        `${xuLi.idNumber.slice(0, 6)}********${xuLi.idNumber.slice(-4)}`,
      ],
    ]);
  });

  it('creates nothing on a second run: every good row is reported updated', async () => {
    const read = await readRows(await files.write('lawyers-again.csv', lawyersCsv));

    const result = await importRows('lawyers', read.rows, db);

    expect(result).toEqual({ created: 0, updated: 2, errors: lawyersCsvErrors });
    expect(await db.identity.models.Lawyer.countDocuments()).toBe(2);
  });

  it('imports procuratorates (是/否) and cases, refusing an unknown stage and an unknown procuratorate', async () => {
    const procuratorates = await readRows(
      await files.write('procuratorates.csv', procuratoratesCsv),
    );
    expect(await importRows('procuratorates', procuratorates.rows, db)).toEqual({
      created: 2,
      updated: 0,
      errors: [],
    });
    const cases = await readRows(await files.write('cases.csv', casesCsv));

    const first = await importRows('cases', cases.rows, db);
    const second = await importRows('cases', cases.rows, db);

    expect(first).toEqual({ created: 2, updated: 0, errors: casesCsvErrors });
    expect(second).toEqual({ created: 0, updated: 2, errors: casesCsvErrors });
    const pilot = await db.cases.models.Procuratorate.find().sort({ _id: 1 }).lean().exec();
    expect(pilot.map((p) => [p._id, p.onlineReadingEnabled])).toEqual([
      ['GD-440000', false],
      ['SH-310000', true],
    ]);
    const stored = await db.cases.models.Case.find()
      .sort({ departmentCaseNumber: 1 })
      .lean()
      .exec();
    expect(
      stored.map((c) => ({
        procuratorateId: c.procuratorateId,
        number: c.departmentCaseNumber,
        suspects: c.suspects,
        stage: c.stage,
        exclusion: c.readingExclusion,
      })),
    ).toEqual([
      {
        procuratorateId: 'SH-310000',
        number: '沪检刑诉〔2025〕1001号',
        suspects: ['张建华', '李明', '王五', '赵六'],
        stage: 'PROSECUTION_REVIEW',
        exclusion: undefined,
      },
      {
        procuratorateId: 'GD-440000',
        number: '粤检刑诉〔2025〕1004号',
        suspects: ['黄某甲', '黄某乙'],
        stage: 'TRIAL',
        exclusion: { category: 'MINORS', reason: '犯罪嫌疑人系未成年人' },
      },
    ]);
  });

  it('reads JSON arrays: item numbers, missing keys and non-objects are row errors', async () => {
    const items = [
      { name: '冯检察官', username: 'SH.Feng', procuratorateId: 'SH-310000', phone: '13912345678' },
      { name: '蒋检察官', username: 'sh.jiang', procuratorateId: 'SH-310000' },
      { name: '沈检察官', procuratorateId: 'SH-310000' },
      { name: '韩检察官', username: 'sh.han', procuratorateId: 'SH-310000', phone: '12345' },
      'not an object',
    ];
    const read = await readRows(await files.write('prosecutors.json', JSON.stringify(items)));

    const result = await importRows('prosecutors', read.rows, db);

    expect(read.errors).toEqual([{ line: 5, reason: '应为对象（各列为键）。' }]);
    expect(result).toEqual({
      created: 2,
      updated: 0,
      errors: [
        { line: 3, reason: '缺少“username”列。' },
        { line: 4, reason: '手机号码应为11位，以1开头，第二位为3至9。' },
      ],
    });
    const stored = await db.identity.models.Prosecutor.find().sort({ username: 1 }).lean().exec();
    expect(stored.map((p) => [p.username, p.phone])).toEqual([
      ['sh.feng', '13912345678'],
      ['sh.jiang', undefined],
    ]);
  });

  it('tolerates a BOM, CRLF, blank lines and quoted cells, and counts lines physically', async () => {
    const first17 = '31011519900909301';
    const csv = [
      'name,idNumber,licenceNumber,lawFirm',
      '',
      `"沈, 律师",${idNumber(first17)},13101201810066666,"上海""诚信""律师事务所"`,
      `韩梅,${idNumber('31011519910101302')},13101201810077777,"上海`,
      `多行律师事务所"`,
      `许多,${idNumber('31011519920202303')},123,上海测试律师事务所`,
    ].join('\r\n');
    const read = await readRows(
      await files.write(
        'bom.csv',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]),
      ),
    );

    const result = await importRows('lawyers', read.rows, db);

    expect(result.errors).toEqual([{ line: 6, reason: '执业证号应为17位数字。' }]);
    expect(result.created).toBe(2);
    const shen = await db.identity.models.Lawyer.findOne({ licenceNumber: '13101201810066666' })
      .lean()
      .exec();
    expect([shen?.name, shen?.lawFirm]).toEqual(['沈, 律师', '上海"诚信"律师事务所']);
    const han = await db.identity.models.Lawyer.findOne({ licenceNumber: '13101201810077777' })
      .lean()
      .exec();
    expect(han?.lawFirm).toBe('上海\r\n多行律师事务所');
  });
});
