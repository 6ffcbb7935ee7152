// Named fixtures for the import tests: register rows (good and bad), files on disk, databases.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureIndexes } from '@yuejuan/runtime';
import { openTestDatabase, testSecrets } from '@yuejuan/runtime/testing';
import { createIdentityServices, idCheckCharacter } from '@yuejuan/identity/services';
import { createCasesServices } from '@yuejuan/cases/services';

/** A valid resident ID number from its first 17 digits. */
export const idNumber = (first17: string): string => first17 + idCheckCharacter(first17);

/** The same number with a wrong check character. */
export const badCheckDigit = (first17: string): string =>
  first17 + (idCheckCharacter(first17) === '0' ? '1' : '0');

export const wuMing = {
  name: '吴明',
  idNumber: idNumber('31010619800101301'),
  licenceNumber: '13101200810011111',
  lawFirm: '上海测试律师事务所',
};
export const xuLi = {
  name: '许丽',
  idNumber: idNumber('34010219900202402'),
  licenceNumber: '13401201510022222',
  lawFirm: '安徽测试律师事务所',
};

/** Lawyers CSV: lines 2 and 6 good; 3 bad check digit, 4 a 16-digit licence, 5 an empty name. */
export const lawyersCsv = [
  'name,idNumber,licenceNumber,lawFirm',
  `${wuMing.name},${wuMing.idNumber},${wuMing.licenceNumber},${wuMing.lawFirm}`,
  `钱坤,${badCheckDigit('31010419850612301')},13101200510033333,上海测试律师事务所`,
  `赵云,${idNumber('50010319870303303')},1500120101004444,重庆测试律师事务所`,
  `,${idNumber('44010619880404404')},14401200810055555,广东测试律师事务所`,
  `${xuLi.name},${xuLi.idNumber},${xuLi.licenceNumber},${xuLi.lawFirm}`,
].join('\n');

export const lawyersCsvErrors = [
  { line: 3, reason: '身份证号校验位不正确，请核对。' },
  { line: 4, reason: '执业证号应为17位数字。' },
  { line: 5, reason: '姓名 不能为空。' },
];

export const procuratoratesCsv = [
  'id,name,province,onlineReadingEnabled',
  'SH-310000,上海市人民检察院,上海市,是',
  'GD-440000,广东省人民检察院,广东省,否',
].join('\n');

/** Cases CSV: lines 2 and 5 good; 3 an unknown stage, 4 an unknown procuratorate. */
export const casesCsv = [
  'procuratorateId,departmentCaseNumber,caseName,suspects,stage,exclusionCategory,exclusionReason',
  'SH-310000,沪检刑诉〔2025〕1001号,张某某涉嫌诈骗案,张建华、李明;王五|赵六,PROSECUTION_REVIEW,,',
  'SH-310000,沪检刑诉〔2025〕1002号,李某涉嫌盗窃案,李强,INVESTIGATION,,',
  'XX-000000,沪检刑诉〔2025〕1003号,王某涉嫌抢劫案,王刚,TRIAL,,',
  'GD-440000,粤检刑诉〔2025〕1004号,黄某等二人涉嫌抢劫案,黄某甲、黄某乙,TRIAL,MINORS,犯罪嫌疑人系未成年人',
].join('\n');

export const casesCsvErrors = [
  { line: 3, reason: '诉讼阶段无效。' },
  { line: 4, reason: '检察院 XX-000000 不存在。' },
];

/** A temporary folder for import files; `cleanup()` removes it. */
export async function tempFiles() {
  const dir = await mkdtemp(join(tmpdir(), 'yuejuan-ops-'));
  return {
    dir,
    async write(name: string, content: string | Buffer): Promise<string> {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Identity and cases services on two fresh databases, as the CLI opens them. */
export async function openServices(label: string) {
  const identityDb = await openTestDatabase(`${label}_identity`);
  const casesDb = await openTestDatabase(`${label}_cases`);
  const identity = createIdentityServices(identityDb, {
    idHashKey: testSecrets().idHash,
    ttlSeconds: 7200,
    verifiedWindowSeconds: 1800,
  });
  const cases = createCasesServices(casesDb);
  await ensureIndexes(identityDb);
  await ensureIndexes(casesDb);
  return {
    identity,
    cases,
    async drop() {
      await identityDb.drop();
      await casesDb.drop();
    },
  };
}
