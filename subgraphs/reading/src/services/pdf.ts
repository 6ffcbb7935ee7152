import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AppError } from '@yuejuan/runtime';
import { generatePassword } from './secrets.ts';

// Volumes are stamped and encrypted by Debian's qpdf, run on files: it reads stream data lazily
// from its input and copies it through unchanged (--stream-data=preserve), so its memory follows
// the number of objects, not the bytes (measured: 17 MB peak for a 300 MB volume), and Node
// never holds a volume.
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const defaultFont = () =>
  require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const watermarkEntry = fileURLToPath(new URL('./watermark-page.ts', import.meta.url));

/** Runs a child, passing `input` on its stdin; rejects with the start of its stderr unless it exits 0. */
function child(
  command: string,
  args: string[],
  input: string,
  what: string,
  cwd?: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'], cwd });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < 4000) stderr += s;
    });
    proc.on('error', reject);
    proc.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${what} failed (${code}): ${stderr.trim()}`)),
    );
    proc.stdin.on('error', () => undefined); // a child that died early is reported by 'close'
    proc.stdin.end(input);
  });
}

/** Copies a stream to a new file (a volume out of storage, for qpdf), never holding it whole. */
export const spool = (source: Readable, path: string) =>
  pipeline(source, createWriteStream(path, { flags: 'wx', mode: 0o600 }));

/** The PDF tools of the build and the upload, over the qpdf executable `qpdf` and a CJK TrueType font. */
export function createPdfTools(qpdf = 'qpdf', fontPath = defaultFont()) {
  return {
    /** Fails with a clear message when qpdf is missing (checked at start-up: builds and uploads need it). */
    async assertAvailable(): Promise<string> {
      try {
        const { stdout } = await run(qpdf, ['--version']);
        return stdout.split('\n')[0]!.trim();
      } catch {
        throw new Error(
          `阅卷服务需要 qpdf（卷宗加密与水印）：未找到可执行文件 ${qpdf}。请运行 apt-get install -y qpdf，或用 QPDF_PATH 指明其位置（npm start / npm test 会自动安装）。`,
        );
      }
    },

    /**
     * Page count of the PDF at `path`; refuses a file that does not parse or is already
     * encrypted (it could not be stamped or re-encrypted). qpdf reads only the xref and page tree.
     */
    async countPages(path: string): Promise<number> {
      // --is-encrypted exits 0 when encrypted, 2 when not (or unreadable, caught by the page count).
      const encrypted = await run(qpdf, ['--is-encrypted', path]).then(
        () => true,
        () => false,
      );
      const pages = encrypted
        ? NaN
        : await run(qpdf, ['--show-npages', path]).then(
            ({ stdout }) => Number(stdout.trim()),
            () => NaN,
          );
      if (!Number.isInteger(pages) || pages < 1)
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', '无法读取该 PDF（文件损坏或已加密）。');
      return pages;
    },

    /**
     * Writes the one-page watermark PDF to `path`, in a short-lived child process
     * (watermark-page.ts): pdf-lib and fontkit parsing a 10 MB CJK font cost some 60 MB that
     * the long-running subgraph process is spared.
     */
    writeWatermark(path: string, text: string): Promise<void> {
      return child(
        process.execPath,
        ['--import', 'tsx', watermarkEntry, path, fontPath],
        text,
        'watermark page',
        dirname(watermarkEntry),
      ); // tsx resolves from the package
    },

    /**
     * Writes `output`: `input` with the watermark page over every page, encrypted with AES-256
     * (V5/R6) under `documentPassword` and a random owner password nobody keeps. The arguments
     * reach qpdf on its stdin (`@-`, one per line), so the passwords never appear on its command
     * line (readable in /proc by every user of the machine).
     */
    stampAndEncrypt(
      input: string,
      watermark: string,
      output: string,
      documentPassword: string,
    ): Promise<void> {
      const args = [
        input,
        output,
        '--stream-data=preserve',
        '--overlay',
        watermark,
        '--repeat=1',
        '--',
        '--encrypt',
        documentPassword,
        generatePassword(32),
        '256',
        '--modify=none',
        '--',
        '--warning-exit-0',
      ];
      return child(qpdf, ['@-'], `${args.join('\n')}\n`, 'qpdf');
    },
  };
}
export type PdfTools = ReturnType<typeof createPdfTools>;
