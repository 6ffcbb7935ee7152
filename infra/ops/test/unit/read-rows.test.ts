import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import { ImportFileError, readRows } from '../../src/index.ts';
import { tempFiles } from '../fixtures.ts';

describe('readRows: what a file holds before any database is involved', () => {
  let files: Awaited<ReturnType<typeof tempFiles>>;
  beforeAll(async () => {
    files = await tempFiles();
  });
  afterAll(async () => {
    await files.cleanup();
  });

  it('keeps the rows around an unparsable line, and reports that line', async () => {
    const csv = [
      'id,name',
      'A-1,甲',
      'A-2,乙"坏"引号',
      'A-3,丙',
      'A-4,丁,多余',
      'A-5,戊,,',
      '"A-6,未闭合',
      'A-7,庚',
      'A-8,"辛"号',
    ].join('\n');

    const read = await readRows(await files.write('broken.csv', csv));

    expect(read.rows.map((r) => [r.line, r.values.id])).toEqual([
      [2, 'A-1'],
      [4, 'A-3'],
      [6, 'A-5'],
      [8, 'A-7'],
    ]);
    expect(read.errors).toEqual([
      {
        line: 3,
        reason:
          '该行无法解析：引号使用有误（含引号的内容应整格用引号括起，其中的引号写成两个 ""）。',
      },
      { line: 5, reason: '列数多于表头（表头 2 列，本行 3 列）。' },
      { line: 7, reason: '引号未闭合，该行无法解析。' },
      {
        line: 9,
        reason:
          '该行无法解析：引号使用有误（含引号的内容应整格用引号括起，其中的引号写成两个 ""）。',
      },
    ]);
  });

  it('loses only the opening line to a quote left open to the end of the file', async () => {
    const read = await readRows(await files.write('open.csv', 'id,name\n"A-1,甲\nA-2,乙\n'));

    expect(read.rows).toEqual([{ line: 3, values: { id: 'A-2', name: '乙' } }]);
    expect(read.errors).toEqual([{ line: 2, reason: '引号未闭合，该行无法解析。' }]);
  });

  it('leaves a short line’s missing cells absent, for the importer to name', async () => {
    const read = await readRows(
      await files.write(
        'short.csv',
        'name,username,procuratorateId,phone\n王敏,sh.wang,SH-310000\n',
      ),
    );

    expect(read.rows).toEqual([
      { line: 2, values: { name: '王敏', username: 'sh.wang', procuratorateId: 'SH-310000' } },
    ]);
  });

  it('refuses a whole file that is missing, of another type, not UTF-8 or not a JSON array', async () => {
    const gbk = Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xd5, 0xc5, 0xc8, 0xfd]); // "name\n张三" in GBK
    await expect(readRows(`${files.dir}/none.csv`)).rejects.toThrow(
      new ImportFileError(`文件不存在：${files.dir}/none.csv`),
    );
    await expect(readRows(await files.write('rows.xlsx', 'x'))).rejects.toThrow(/不支持的文件类型/);
    await expect(readRows(await files.write('gbk.csv', gbk))).rejects.toThrow(/不是 UTF-8 编码/);
    await expect(readRows(await files.write('object.json', '{"name":"x"}'))).rejects.toThrow(
      'JSON 文件应为对象数组。',
    );
    await expect(readRows(await files.write('bad.json', '[{'))).rejects.toThrow(/JSON 格式有误/);
  });
});
