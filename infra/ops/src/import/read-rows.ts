import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseCsv } from './csv-records.ts';
import type { ReadResult, RowError, SourceRow } from './types.ts';

/** The file as a whole cannot be imported (missing, wrong type, not UTF-8, not a JSON array). */
export class ImportFileError extends Error {
  override name = 'ImportFileError';
}

async function readUtf8(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new ImportFileError(`文件不存在：${file}`);
    throw err;
  }
  try {
    // fatal: a GBK file (Excel's default on Chinese Windows) would otherwise import as mojibake.
    // ignoreBOM false: the decoder drops the BOM Excel writes at the start of "CSV UTF-8".
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ImportFileError(
      `文件不是 UTF-8 编码（可能是 GBK）：请另存为“CSV UTF-8”后重试。${file}`,
    );
  }
}

function jsonRows(text: string): { rows: SourceRow[]; errors: RowError[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ImportFileError(`JSON 格式有误：${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new ImportFileError('JSON 文件应为对象数组。');
  const rows: SourceRow[] = [];
  const errors: RowError[] = [];
  data.forEach((item: unknown, index) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item))
      rows.push({ line: index + 1, values: item as Record<string, unknown> });
    else errors.push({ line: index + 1, reason: '应为对象（各列为键）。' });
  });
  return { rows, errors };
}

/**
 * Reads an import file: `.csv` (UTF-8, BOM tolerated, header row) or `.json` (array of objects).
 * Rows carry their CSV physical line (header = 1) or JSON item number (index + 1); lines that
 * cannot be parsed come back as errors beside the good rows. Throws ImportFileError when the
 * file as a whole is unusable.
 */
export async function readRows(file: string): Promise<ReadResult> {
  const ext = extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.json')
    throw new ImportFileError(`不支持的文件类型：${file}（应为 .csv 或 .json）。`);
  const text = await readUtf8(file);
  return ext === '.csv'
    ? { format: 'csv', ...parseCsv(text) }
    : { format: 'json', ...jsonRows(text) };
}
