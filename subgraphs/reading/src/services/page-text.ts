// The text of a volume's pages, for search: poppler's pdftotext reads the words of the text
// layer with their boxes; a page without a text layer (a scan) is rasterised by pdftoppm and
// read by Tesseract (chi_sim + eng). Words keep their boxes, as fractions of the page, so a
// match can be highlighted on the page image.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A word and its box `[x0, y0, x1, y1]` in fractions of the page (origin top left). */
export interface Word {
  text: string;
  box: [number, number, number, number];
}
export interface PageText {
  words: Word[];
  /** The words came from OCR. */
  ocr: boolean;
}

/** Search form of text: NFKC (full-width letters and digits fold), lower case. */
export const normalise = (s: string) => s.normalize('NFKC').toLowerCase();

/** Fewer visible characters than this on a page means no usable text layer: OCR it. */
const minTextChars = 8;

const entities: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};
const unescape = (s: string) =>
  s.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
      : (entities[e] ?? m),
  );
const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** Parses `pdftotext -bbox` output into the words of each page, in reading order. */
export function parseBbox(xhtml: string): Word[][] {
  const pages: Word[][] = [];
  const pageRe = /<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g;
  const wordRe =
    /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([\s\S]*?)<\/word>/g;
  for (const page of xhtml.matchAll(pageRe)) {
    const [w, h] = [Number(page[1]), Number(page[2])];
    const words: Word[] = [];
    for (const m of page[3]!.matchAll(wordRe)) {
      const text = normalise(unescape(m[5]!)).replace(/\s+/g, '');
      if (!text) continue;
      words.push({
        text,
        box: [
          round(Number(m[1]) / w),
          round(Number(m[2]) / h),
          round(Number(m[3]) / w),
          round(Number(m[4]) / h),
        ],
      });
    }
    pages.push(words);
  }
  return pages;
}

/** Parses Tesseract's TSV into words (level 5 rows), boxes as fractions of the image. */
export function parseTsv(tsv: string): Word[] {
  let [W, H] = [1, 1];
  const words: Word[] = [];
  for (const line of tsv.split('\n').slice(1)) {
    const f = line.split('\t');
    if (f.length < 12) continue;
    const [level, left, top, width, height] = [f[0], f[6], f[7], f[8], f[9]].map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    if (level === 1) [W, H] = [width, height];
    if (level !== 5) continue;
    const text = normalise(f.slice(11).join('\t')).replace(/\s+/g, '');
    if (!text || Number(f[10]) < 0) continue;
    words.push({
      text,
      box: [round(left / W), round(top / H), round((left + width) / W), round((top + height) / H)],
    });
  }
  return words;
}

/** OCR of page `n` of `file` (rasterised at 200 dpi, grey). */
async function ocrPage(file: string, n: number, dir: string): Promise<Word[]> {
  const image = join(dir, `ocr-${n}`);
  await run('pdftoppm', [
    '-f',
    String(n),
    '-l',
    String(n),
    '-r',
    '200',
    '-gray',
    '-png',
    '-singlefile',
    file,
    image,
  ]);
  const { stdout } = await run(
    'tesseract',
    [`${image}.png`, '-', '-l', 'chi_sim+eng', '--psm', '3', 'tsv'],
    { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, OMP_THREAD_LIMIT: '1' } },
  );
  await rm(`${image}.png`, { force: true });
  return parseTsv(stdout);
}

/**
 * The words of every page of the PDF at `file` (`pageCount` pages): the text layer where a page
 * has one, OCR where it has none. `onPage` is told after each page (the build's progress).
 */
export async function extractPages(
  file: string,
  pageCount: number,
  onPage: (done: number) => Promise<void> | void = () => undefined,
): Promise<PageText[]> {
  const { stdout } = await run('pdftotext', ['-bbox', '-enc', 'UTF-8', file, '-'], {
    maxBuffer: 512 * 1024 * 1024,
  });
  const layer = parseBbox(stdout);
  const dir = await mkdtemp(join(tmpdir(), 'yuejuan-ocr-'));
  try {
    const pages: PageText[] = [];
    for (let n = 1; n <= pageCount; n++) {
      const words = layer[n - 1] ?? [];
      const chars = words.reduce((sum, w) => sum + w.text.length, 0);
      pages.push(
        chars >= minTextChars
          ? { words, ocr: false }
          : { words: await ocrPage(file, n, dir), ocr: true },
      );
      await onPage(n);
    }
    return pages;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The PDF's outline (bookmarks) as titles and 1-based pages, from qpdf's JSON. */
export async function readOutline(
  qpdf: string,
  file: string,
): Promise<{ title: string; page: number }[]> {
  const { stdout } = await run(qpdf, ['--json', '--json-key=outlines', file], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch(() => ({ stdout: '{}' }));
  interface Node {
    title?: string;
    destpageposfrom1?: number | null;
    kids?: Node[];
  }
  const out: { title: string; page: number }[] = [];
  const walk = (nodes: Node[] = [], depth: number) => {
    for (const n of nodes) {
      const title = (n.title ?? '').trim();
      if (title && n.destpageposfrom1)
        out.push({ title: title.slice(0, 200), page: n.destpageposfrom1 });
      if (depth < 3) walk(n.kids, depth + 1);
    }
  };
  try {
    walk((JSON.parse(stdout) as { outlines?: Node[] }).outlines, 0);
  } catch {
    return [];
  }
  return out.slice(0, 500);
}

/** Drops the spaces OCR leaves between Chinese characters (its words are often single characters). */
const tidy = (s: string) =>
  s.replace(/(?<=[\p{Script=Han}\p{P}]\u{E000}?)\s+(?=\u{E000}?[\p{Script=Han}\p{P}])/gu, '');

/** A match of a query on a page: where in the page's text, which words it covers. */
export interface PageMatch {
  /** Up to 30 characters of the page before the match (with … when cut), the match, and after it. */
  before: string;
  match: string;
  after: string;
  /** Indexes of the words the match covers (for their boxes). */
  words: number[];
}

/**
 * The matches of `query` in a page's text (its words joined by single spaces). Spaces are
 * ignored on both sides, so Chinese matches whatever the segmentation (诈骗 inside 涉嫌诈骗罪,
 * or across OCR's one-character words), and `query` is normalised as the text is.
 */
export function matchPage(text: string, query: string, limit = 20): PageMatch[] {
  const q = normalise(query).replace(/\s+/g, '');
  if (!q) return [];
  // The text without spaces, and for each of its characters the word it belongs to and where it was.
  const chars: string[] = [];
  const wordOf: number[] = [];
  const at: number[] = [];
  let word = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ' ') {
      word++;
      continue;
    }
    chars.push(text[i]!);
    wordOf.push(word);
    at.push(i);
  }
  const flat = chars.join('');
  const matches: PageMatch[] = [];
  for (
    let i = flat.indexOf(q);
    i >= 0 && matches.length < limit;
    i = flat.indexOf(q, i + q.length)
  ) {
    const [start, end] = [at[i]!, at[i + q.length - 1]! + 1];
    const from = Math.max(0, start - 30);
    const to = Math.min(text.length, end + 30);
    const words: number[] = [];
    for (let w = wordOf[i]!; w <= wordOf[i + q.length - 1]!; w++) words.push(w);
    // Tidied as one text (with the match's ends marked), so the spaces at its ends go too.
    const [before = '', match = '', after = ''] = tidy(
      `${text.slice(from, start)}\u{E000}${text.slice(start, end)}\u{E000}${text.slice(end, to)}`,
    ).split('\u{E000}');
    matches.push({
      before: `${from > 0 ? '…' : ''}${before}`,
      match,
      after: `${after}${to < text.length ? '…' : ''}`,
      words,
    });
  }
  return matches;
}

/**
 * Checks for the tools of 在线阅卷 and search (checked at start-up): poppler's pdftoppm and
 * pdftotext, Tesseract with its Simplified Chinese data. Throws saying what to install.
 */
export async function assertReaderTools(): Promise<string> {
  const missing: string[] = [];
  const version = async (cmd: string, args: string[]) =>
    run(cmd, args).then(
      ({ stdout, stderr }) => `${stdout}${stderr}`,
      (err: NodeJS.ErrnoException & { stderr?: string }) =>
        err.code === 'ENOENT' ? null : `${err.stderr ?? ''}`,
    );
  const poppler = await version('pdftoppm', ['-v']);
  if (poppler === null || (await version('pdftotext', ['-v'])) === null)
    missing.push('poppler-utils');
  const langs = await version('tesseract', ['--list-langs']);
  if (langs === null) missing.push('tesseract-ocr', 'tesseract-ocr-chi-sim');
  else if (!/\bchi_sim\b/.test(langs)) missing.push('tesseract-ocr-chi-sim');
  if (missing.length)
    throw new Error(
      `阅卷服务需要 ${missing.join('、')}（在线阅卷页面渲染与全文检索）：请运行 apt-get install -y ${missing.join(' ')}（npm start / npm test 会自动安装）。`,
    );
  return (
    (poppler ?? '')
      .split('\n')
      .find((l) => /version/i.test(l))
      ?.trim() ?? 'poppler'
  );
}

/**
 * The pages' words without those 遮蔽 hides: none of a withheld page, none whose box touches a
 * marked region (a word half under a box is gone too).
 */
export function withoutRedacted(
  pages: PageText[],
  marks: {
    page: number;
    region?: { x: number; y: number; width: number; height: number } | null;
  }[],
): PageText[] {
  if (marks.length === 0) return pages;
  return pages.map((p, i) => {
    const own = marks.filter((m) => m.page === i + 1);
    if (own.length === 0) return p;
    if (own.some((m) => !m.region)) return { ...p, words: [] };
    const touches = ([x0, y0, x1, y1]: Word['box']) =>
      own.some(
        ({ region: r }) => x0 < r!.x + r!.width && x1 > r!.x && y0 < r!.y + r!.height && y1 > r!.y,
      );
    return { ...p, words: p.words.filter((w) => !touches(w.box)) };
  });
}
