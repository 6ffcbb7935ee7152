/** One row of an import file: where it came from (CSV physical line or JSON item number) and its cells. */
export interface SourceRow {
  line: number;
  values: Record<string, unknown>;
}

/** A row that was not imported, and why (the Chinese message shown to the operator). */
export interface RowError {
  line: number;
  reason: string;
}

/** The rows of a file, and the lines that could not even be read as rows. */
export interface ReadResult {
  format: 'csv' | 'json';
  rows: SourceRow[];
  errors: RowError[];
}

/** What an import did: counts of new and updated records, and the rows it refused. */
export interface ImportResult {
  created: number;
  updated: number;
  errors: RowError[];
}

/** "第 3 行" for a CSV line, "第 3 项" for a JSON array item. */
export const rowLabel = (format: ReadResult['format'], line: number): string =>
  format === 'csv' ? `第 ${line} 行` : `第 ${line} 项`;
