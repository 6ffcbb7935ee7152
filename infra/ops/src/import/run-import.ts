import { ConfigError } from '@yuejuan/runtime';
import { loadImportConfig } from '../config.ts';
import { openCases, openIdentity, type Opened } from '../connect.ts';
import { importRows } from './import-rows.ts';
import { importKinds, isImportKind, serviceOf, type ImportServices } from './kinds.ts';
import { ImportFileError, readRows } from './read-rows.ts';
import { rowLabel } from './types.ts';

/** Where the CLI writes: one line per call. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** 0: all rows imported; 2: some rows refused; 1: nothing imported (bad arguments, file, config, database). */
export type ExitCode = 0 | 1 | 2;

const usage = `用法：npx tsx infra/ops/src/import/cli.ts <${importKinds.join('|')}> <文件.csv|文件.json>`;

/**
 * The import CLI without the process: reads the file, connects to the one database the kind
 * belongs to, imports, and reports each refused row on `err` and the summary on `out`.
 */
export async function runImport(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  output: Output,
): Promise<ExitCode> {
  const [kind, file] = args;
  if (!kind || !file || args.length > 2) {
    output.err(usage);
    return 1;
  }
  if (!isImportKind(kind)) {
    output.err(`未知的导入类型“${kind}”，应为 ${importKinds.join('、')} 之一。\n${usage}`);
    return 1;
  }
  const opened: Opened<unknown>[] = [];
  try {
    // The file first: a typo in its name should not wait for a database connection.
    const read = await readRows(file);
    const config = loadImportConfig(kind === 'lawyers', env);
    const services: ImportServices = {};
    if (serviceOf[kind] === 'identity') {
      const identity = await openIdentity(
        config.MONGODB_URI,
        config.IDENTITY_DB,
        config.YUEJUAN_ID_HASH_KEY,
      );
      opened.push(identity);
      services.identity = identity.services;
    } else {
      const cases = await openCases(config.MONGODB_URI, config.CASES_DB);
      opened.push(cases);
      services.cases = cases.services;
    }
    const result = await importRows(kind, read.rows, services);
    const errors = [...read.errors, ...result.errors].sort((a, b) => a.line - b.line);
    for (const e of errors) output.err(`${rowLabel(read.format, e.line)}：${e.reason}`);
    output.out(`导入完成：新增 ${result.created}，更新 ${result.updated}，错误 ${errors.length}`);
    return errors.length ? 2 : 0;
  } catch (err) {
    if (err instanceof ImportFileError || err instanceof ConfigError) output.err(err.message);
    else output.err(`导入失败：${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await Promise.all(opened.map((o) => o.connection.close()));
  }
}
