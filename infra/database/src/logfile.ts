import { closeSync, existsSync, openSync, readSync, renameSync, statSync } from 'node:fs';

const MAX_BYTES = 10 * 1024 * 1024;

/**
 * Opens FerretDB's log file for appending (the child writes to the fd directly, so
 * logging never depends on our event loop). Rotates once past 10 MiB to keep dev
 * machines tidy. Returns the fd and the offset where this run's output starts.
 */
export function openLog(path: string): { fd: number; start: number } {
  if (existsSync(path) && statSync(path).size > MAX_BYTES) renameSync(path, `${path}.1`);
  const fd = openSync(path, 'a');
  return { fd, start: statSync(path).size };
}

export function closeLog(fd: number): void {
  closeSync(fd);
}

/**
 * The last `n` lines FerretDB wrote since `start`, made readable: its JSON log lines
 * become `LEVEL msg: error`.
 */
export function readLogTail(path: string, start: number, n: number): string {
  let text: string;
  try {
    const fd = openSync(path, 'r');
    try {
      const size = statSync(path).size;
      const from = Math.max(start, size - 64 * 1024);
      const buf = Buffer.alloc(Math.max(0, size - from));
      readSync(fd, buf, 0, buf.length, from);
      text = buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '(no log output)';
  }
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .map(formatLine);
  return lines.length > 0 ? lines.join('\n') : '(no log output)';
}

function formatLine(line: string): string {
  try {
    const rec = JSON.parse(line) as { level?: unknown; msg?: unknown; error?: unknown };
    if (typeof rec.msg !== 'string') return line;
    const err = typeof rec.error === 'string' ? `: ${rec.error}` : '';
    return `${String(rec.level ?? '')} ${rec.msg}${err}`.trim();
  } catch {
    return line; // panics and Go runtime errors are plain text
  }
}
