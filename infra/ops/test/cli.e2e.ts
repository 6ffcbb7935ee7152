// The import CLI as an operator runs it: a child process with its environment, exit code,
// stderr lines and summary. (Named .test.ts, not .e2e.ts, so the package's `vitest run` runs it.)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongo } from '@yuejuan/runtime';
import { testMongoUri, testSecrets, uniqueDatabaseName } from '@yuejuan/runtime/testing';
import { lawyersCsv, procuratoratesCsv, tempFiles } from './fixtures.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs `npx tsx src/import/cli.ts ...args` in the package folder with exactly `env` (plus PATH). */
function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/import/cli.ts', ...args], {
      cwd: packageDir,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('import CLI', () => {
  let files: Awaited<ReturnType<typeof tempFiles>>;
  const identityDb = uniqueDatabaseName('cli_identity');
  const casesDb = uniqueDatabaseName('cli_cases');
  const env = () => ({
    MONGODB_URI: testMongoUri(),
    IDENTITY_DB: identityDb,
    CASES_DB: casesDb,
    YUEJUAN_ID_HASH_KEY: testSecrets().idHash,
  });
  beforeAll(async () => {
    files = await tempFiles();
  });
  afterAll(async () => {
    await files.cleanup();
    for (const name of [identityDb, casesDb]) {
      const connection = await connectMongo(testMongoUri(), name);
      await connection.dropDatabase();
      await connection.close();
    }
  });

  it('imports the good rows, prints each bad one on stderr and exits 2', async () => {
    const file = await files.write('lawyers.csv', lawyersCsv);

    const run = await cli(['lawyers', file], env());

    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      '第 3 行：身份证号校验位不正确，请核对。',
      '第 4 行：执业证号应为17位数字。',
      '第 5 行：姓名 不能为空。',
    ]);
    expect(run.stdout.trim()).toBe('导入完成：新增 2，更新 0，错误 3');
    const connection = await connectMongo(testMongoUri(), identityDb);
    const stored = await connection
      .collection('lawyers')
      .find()
      .sort({ licenceNumber: 1 })
      .toArray();
    await connection.close();
    expect(stored.map((l) => l.name)).toEqual(['吴明', '许丽']);
  }, 60_000);

  it('exits 0 on a clean file, and a second run only updates', async () => {
    const file = await files.write('procuratorates.csv', procuratoratesCsv);

    const first = await cli(['procuratorates', file], env());
    const second = await cli(['procuratorates', file], env());

    expect([first.code, first.stdout.trim(), first.stderr]).toEqual([
      0,
      '导入完成：新增 2，更新 0，错误 0',
      '',
    ]);
    expect([second.code, second.stdout.trim(), second.stderr]).toEqual([
      0,
      '导入完成：新增 0，更新 2，错误 0',
      '',
    ]);
  }, 60_000);

  it('exits 1 naming the problem: unknown kind, missing file, missing setting', async () => {
    const file = await files.write('lawyers-ok.csv', lawyersCsv);
    const { MONGODB_URI: _uri, ...withoutUri } = env();
    const { YUEJUAN_ID_HASH_KEY: _key, ...withoutKey } = env();

    const [unknownKind, missingFile, noUri, noKey] = await Promise.all([
      cli(['judges', file], env()),
      cli(['lawyers', `${files.dir}/missing.csv`], env()),
      cli(['procuratorates', file], withoutUri),
      cli(['lawyers', file], withoutKey),
    ]);

    expect([unknownKind.code, unknownKind.stderr]).toEqual([
      1,
      expect.stringContaining('未知的导入类型“judges”'),
    ]);
    expect([missingFile.code, missingFile.stderr]).toEqual([
      1,
      expect.stringContaining('文件不存在'),
    ]);
    expect([noUri.code, noUri.stderr]).toEqual([
      1,
      expect.stringMatching(/MONGODB_URI: .*not set/),
    ]);
    expect([noKey.code, noKey.stderr]).toEqual([
      1,
      expect.stringMatching(/YUEJUAN_ID_HASH_KEY: .*not set/),
    ]);
    expect([unknownKind, missingFile, noUri, noKey].map((r) => r.stdout)).toEqual(['', '', '', '']);
  }, 60_000);
});
