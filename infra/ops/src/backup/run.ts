import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig } from '@yuejuan/runtime';
import type { Output } from '../import/run-import.ts';
import { describeUri, runBackup } from './backup.ts';
import { loadBackupConfig } from './config.ts';
import { BackupError, type BackupErrorKind } from './errors.ts';
import { signatureFile, type Manifest } from './manifest.ts';
import { runRestore } from './restore.ts';
import { verifyBackup } from './verify.ts';

/** 0 done; 1 failed (arguments, settings, database, disk); 2 the backup is invalid; 3 the restore target is not empty. */
export type OpsExitCode = 0 | 1 | 2 | 3;

const exitCodes: Record<BackupErrorKind, OpsExitCode> = { failed: 1, invalid: 2, 'not-empty': 3 };
const commands = ['backup', 'verify', 'restore'] as const;
const usage = `用法：npm run ops -- <${commands.join('|')}> <备份目录>
  backup   备份 MONGODB_URI 上的五个数据库和文件存储（BLOB_STORE/BLOB_DIR）到新目录
  verify   校验备份目录中的每个文件，不连接数据库
  restore  校验后把备份恢复到空的部署（MONGODB_URI、各 *_DB、BLOB_STORE/BLOB_DIR）`;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const summary = (m: Manifest) =>
  `${m.databases.length} 个数据库，${m.totals.collections} 个集合，${m.totals.documents} 条文档，${m.totals.blobs} 个文件（${mb(m.totals.blobBytes)}）`;

const signingKeyOnly = {
  BACKUP_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
};

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * The backup CLI without the process: `backup|verify|restore <dir>`, settings from `env`, a
 * relative `dir` or BLOB_DIR taken from `cwd`. Progress and the summary go to `out`, problems
 * to `err`; the answer is the exit code.
 */
export async function runOps(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  output: Output,
  cwd: string,
): Promise<OpsExitCode> {
  const [command, target] = args;
  if (
    !command ||
    !target ||
    args.length > 2 ||
    !(commands as readonly string[]).includes(command)
  ) {
    output.err(
      command && !(commands as readonly string[]).includes(command)
        ? `未知的命令“${command}”。\n${usage}`
        : usage,
    );
    return 1;
  }
  const dir = resolve(cwd, target);
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  try {
    if (command === 'verify') {
      const key = loadConfig(signingKeyOnly, env).BACKUP_SIGNING_KEY;
      const { manifest, signed, problems } = await verifyBackup(dir, key);
      if (problems.length) {
        for (const p of problems) output.err(p);
        output.err(`备份无效：${problems.length} 个问题（${dir}）。`);
        return 2;
      }
      const signature = signed
        ? '签名已核对'
        : (await exists(join(dir, signatureFile)))
          ? '签名未核对（未设置 BACKUP_SIGNING_KEY）'
          : '未签名';
      output.out(
        `备份完好：${dir}，${summary(manifest)}；来源 ${manifest.source.mongo}，备份于 ${manifest.startedAt}；${signature}。`,
      );
      return 0;
    }
    const config = loadBackupConfig(env, cwd);
    if (command === 'backup') {
      output.out(`备份 ${describeUri(config.mongoUri)}（文件存储 ${config.blobStore}）到 ${dir}`);
      const manifest = await runBackup({ config, dir, log: output.out });
      output.out(`备份完成：${dir}，${summary(manifest)}，用时 ${seconds()} 秒。`);
      return 0;
    }
    output.out(`恢复 ${dir} 到 ${describeUri(config.mongoUri)}（文件存储 ${config.blobStore}）`);
    const manifest = await runRestore({ config, dir, log: output.out });
    output.out(
      `恢复完成：${summary(manifest)}，用时 ${seconds()} 秒。启动服务时请使用与备份来源相同的密钥（YUEJUAN_ID_HASH_KEY 等）。`,
    );
    return 0;
  } catch (err) {
    if (err instanceof BackupError) {
      output.err(err.message);
      return exitCodes[err.kind];
    }
    if (err instanceof ConfigError) output.err(err.message);
    else if (err instanceof Error && err.name === 'MongoServerSelectionError')
      output.err(`无法连接数据库（${describeUri(env.MONGODB_URI ?? '')}）：${err.message}`);
    else
      output.err(
        `${command === 'backup' ? '备份' : command === 'restore' ? '恢复' : '校验'}失败：${err instanceof Error ? err.message : String(err)}`,
      );
    if (command === 'backup') output.err(`${dir} 中没有清单，不是可用的备份，可以删除。`);
    return 1;
  }
}
