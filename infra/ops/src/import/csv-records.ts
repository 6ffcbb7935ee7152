import { parse } from 'csv-parse/sync';
import type { RowError } from './types.ts';

/** One CSV record as written: the physical line it starts on and its text. */
interface RawRecord {
  line: number;
  text: string;
}

/**
 * Splits CSV text into records by hand before parsing each on its own. csv-parse reports only
 * the line a record ends on, and after a bad quote (skip_records_with_error) it loses the rows
 * that follow; splitting first keeps a bad line from taking its neighbours with it. A quote
 * opens only at the start of a field (RFC 4180). A quoted cell may span lines, but one that
 * never closes, or closes into more text, is a stray quote: it costs only the line it opened
 * on, and reading resumes on the next.
 */
function splitRecords(text: string): { records: RawRecord[]; errors: RowError[] } {
  const records: RawRecord[] = [];
  const errors: RowError[] = [];
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    const start = pos;
    let i = pos;
    let inQuotes = false;
    let fieldStart = true;
    let innerLines = 0;
    let stray = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inQuotes) {
        if (c === '"' && text[i + 1] === '"') i++;
        else if (c === '"') {
          inQuotes = false;
          fieldStart = false;
          // On one line csv-parse names the problem itself; across lines the quote was stray.
          if (innerLines > 0 && !/^[,\r\n \t]?$/.test(text[i + 1] ?? '')) stray = true;
        } else if (c === '\n') innerLines++;
      } else if (c === '\n') break;
      else if (c === '"' && fieldStart) inQuotes = true;
      else if (c === ',') fieldStart = true;
      else if (c !== ' ' && c !== '\t' && c !== '\r') fieldStart = false;
      if (stray) break;
    }
    if (inQuotes || stray) {
      errors.push({ line, reason: '引号未闭合，该行无法解析。' });
      const next = text.indexOf('\n', start);
      if (next < 0) break;
      pos = next + 1;
      line++;
      continue;
    }
    const recordText = text.slice(start, i).replace(/\r$/, '');
    if (recordText.trim()) records.push({ line, text: recordText });
    pos = i + 1;
    line += innerLines + 1;
  }
  return { records, errors };
}

const badQuote = '引号使用有误（含引号的内容应整格用引号括起，其中的引号写成两个 ""）';
// csv-parse names one of these without its CSV_ prefix.
const csvProblems: Record<string, string> = {
  INVALID_OPENING_QUOTE: badQuote,
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: badQuote,
  CSV_INVALID_CLOSING_QUOTE: badQuote,
  CSV_QUOTE_NOT_CLOSED: '引号未闭合',
};

/** The cells of one record, or why it cannot be read. */
function cellsOf(text: string): string[] | string {
  try {
    const [cells] = parse(text, { trim: true, relax_column_count: true }) as string[][];
    return cells ?? [];
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    return csvProblems[code] ?? (err as Error).message;
  }
}

/**
 * Parses CSV text with a header row into cell maps keyed by the header's names. Line numbers
 * are physical (header = line 1); a record spanning lines counts from its first.
 */
export function parseCsv(text: string): {
  rows: { line: number; values: Record<string, string> }[];
  errors: RowError[];
} {
  const { records, errors } = splitRecords(text);
  const rows: { line: number; values: Record<string, string> }[] = [];
  const [headerRecord, ...body] = records;
  if (!headerRecord) return { rows, errors };
  const header = cellsOf(headerRecord.text);
  if (typeof header === 'string')
    return {
      rows,
      errors: [...errors, { line: headerRecord.line, reason: `表头无法解析：${header}。` }],
    };
  for (const record of body) {
    const cells = cellsOf(record.text);
    if (typeof cells === 'string') {
      errors.push({ line: record.line, reason: `该行无法解析：${cells}。` });
      continue;
    }
    // Spreadsheets often export trailing empty cells; only non-empty extra cells are a mistake.
    if (cells.slice(header.length).some(Boolean)) {
      errors.push({
        line: record.line,
        reason: `列数多于表头（表头 ${header.length} 列，本行 ${cells.length} 列）。`,
      });
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((name, index) => {
      if (name && index < cells.length) values[name] = cells[index]!;
    });
    rows.push({ line: record.line, values });
  }
  return { rows, errors: errors.sort((a, b) => a.line - b.line) };
}
