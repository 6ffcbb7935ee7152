import { AppError } from '@yuejuan/runtime';

type Values = Record<string, unknown>;

/** A cell as text; JSON numbers and booleans are accepted and read as text. */
function asText(column: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new AppError('BAD_USER_INPUT', `“${column}”应为文本。`, { field: column });
}

/**
 * A required column. A missing column is a row error, not a fatal one: a JSON item may lack a
 * key, and a short CSV line lacks its last cells. An empty cell is passed on, so the service's
 * own message (e.g. “姓名 不能为空。”) names the problem.
 */
export function cell(values: Values, column: string): string {
  const value = values[column];
  if (value === undefined || value === null)
    throw new AppError('BAD_USER_INPUT', `缺少“${column}”列。`, { field: column });
  return asText(column, value);
}

/** An optional column: undefined when absent or blank. */
export function optionalCell(values: Values, column: string): string | undefined {
  const value = values[column];
  if (value === undefined || value === null) return undefined;
  return asText(column, value).trim() || undefined;
}

const yes = new Set(['true', '是', '1', 'yes', 'y']);
const no = new Set(['false', '否', '0', 'no', 'n']);

/** true/false, 是/否, 1/0 (as registers exported from Excel spell them). Blank is an error: a pilot switch is never guessed. */
export function booleanCell(values: Values, column: string): boolean {
  const text = cell(values, column).trim().toLowerCase();
  if (yes.has(text)) return true;
  if (no.has(text)) return false;
  throw new AppError('BAD_USER_INPUT', `“${column}”应为 true/false、是/否 或 1/0。`, {
    field: column,
  });
}

/** A list cell: a JSON array, or text separated by 、 ; | (full-width ；｜ too). */
export function listCell(values: Values, column: string): string[] {
  const value = values[column];
  if (Array.isArray(value)) return value.map((item) => asText(column, item).trim()).filter(Boolean);
  return cell(values, column)
    .split(/[、;；|｜]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
