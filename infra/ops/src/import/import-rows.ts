import mongoose from 'mongoose';
import { AppError } from '@yuejuan/runtime';
import { importers, serviceOf, type ImportKind, type ImportServices } from './kinds.ts';
import type { ImportResult, SourceRow } from './types.ts';

/**
 * Why a row was refused, or null when the error is not the row's fault (database down, a bug):
 * those stop the import, since every later row would fail the same way.
 */
function rowProblem(err: unknown): string | null {
  if (err instanceof AppError && err.code === 'BAD_USER_INPUT') return err.message;
  // The services validate first; a model rule they missed is still the row's problem.
  if (err instanceof mongoose.Error.ValidationError)
    return `数据校验未通过（${Object.keys(err.errors).join('、')}）。`;
  return null;
}

/**
 * Imports `rows` of one kind through the subgraphs' services, one at a time and in order.
 * Idempotent: each service upserts by the row's natural key (licence number, username,
 * procuratorate code, procuratorate + 部门受案号), so a second run reports every row 'updated'.
 * A bad row is recorded with its line and reason and the next row goes on.
 */
export async function importRows(
  kind: ImportKind,
  rows: readonly SourceRow[],
  services: ImportServices,
): Promise<ImportResult> {
  const side = serviceOf[kind];
  if (!services[side]) throw new Error(`导入 ${kind} 需要 ${side} 服务。`);
  const importer = importers[kind];
  const result: ImportResult = { created: 0, updated: 0, errors: [] };
  for (const row of rows) {
    try {
      const outcome = await importer(row.values, services as Required<ImportServices>);
      result[outcome]++;
    } catch (err) {
      const reason = rowProblem(err);
      if (reason === null) throw err;
      result.errors.push({ line: row.line, reason });
    }
  }
  return result;
}
