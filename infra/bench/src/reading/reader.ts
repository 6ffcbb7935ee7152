// The 在线阅卷 page benchmark (issue 18): the reading subgraph's page-image service (poppler's
// pdftoppm into the cache, sharp stamping the reader's watermark) on a 300-page volume, in this
// process, without HTTP (the route adds two `_id` reads and a binding check every 15 s):
// - the first page after a cold start (empty cache: the volume copied out of storage, rendered, stamped);
// - a page's first view (rendered and stamped) and a cached page (stamped only): p50/p99, and
//   pages/s on one core (sharp limited to one thread, one page at a time);
// - 20 lawyers reading at once (each their own watermark), on all cores: all asking for their
//   next page as soon as the last arrived (the worst case), and turning a page every 3 s;
// - OCR (Tesseract chi_sim, one thread) of scanned pages, pages/min;
// - the peak resident memory of this process and of the pdftoppm and tesseract children.
// Writes infra/bench/results/reader-fs-*.json.
//
//   flock /tmp/yuejuan-bench.lock npx tsx infra/bench/src/reading/reader.ts [--pages=300]
//     [--readers=20] [--pages-per-reader=15] [--think-ms=3000] [--ocr-pages=4] [--final]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFImage } from 'pdf-lib';
import sharp from 'sharp';
import { createFsBlobStore } from '@yuejuan/runtime/storage';
import { parseArgs } from '../lib/args.ts';
import { describeMachine } from '../lib/machine.ts';
import { writeResult } from '../lib/results.ts';
import { percentile, round } from '../lib/stats.ts';
import { Sampler } from './sampler.ts';
import { createPageImages } from '../../../../subgraphs/reading/src/services/page-images.ts';
import { extractPages } from '../../../../subgraphs/reading/src/services/page-text.ts';

const args = parseArgs();
const pageCount = Math.max(20, Math.round(args.number('pages', 300)));
const readers = Math.max(1, Math.round(args.number('readers', 20)));
const perReader = Math.max(1, Math.round(args.number('pages-per-reader', 15)));
const ocrPages = Math.max(1, Math.round(args.number('ocr-pages', 4)));
const thinkMs = Math.max(0, Math.round(args.number('think-ms', 3000)));
const final = args.flag('final');
args.done();

const require = createRequire(import.meta.url);
const fontPath =
  require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const startedAt = new Date().toISOString();
const machineAtStart = describeMachine(process.cwd());
const dir = mkdtempSync(join(tmpdir(), 'yuejuan-bench-reader-'));
const sampler = new Sampler(process.pid);

const paragraph =
  '经依法侦查查明：犯罪嫌疑人以投资虚拟项目可获高额回报为名，通过网络聊天软件先后骗取被害人钱款共计人民币八十余万元，所得款项用于归还网络贷款及个人消费。';

/** A scanned page: text drawn into a grey picture (a JPEG, as scanners write). */
async function scanImage(doc: PDFDocument): Promise<PDFImage> {
  const lines = Array.from({ length: 14 }, (_, i) =>
    paragraph.slice((i * 7) % 40, ((i * 7) % 40) + 30),
  );
  const text = await sharp({
    text: {
      text: `<span foreground="#222">被害人陈述（扫描件）\n${lines.join('\n')}</span>`,
      fontfile: fontPath,
      font: 'Noto Sans SC 38px',
      rgba: true,
      dpi: 72,
    },
  })
    .png()
    .toBuffer();
  const jpeg = await sharp(text)
    .extend({ top: 160, bottom: 900, left: 140, right: 260, background: '#f1f0ec' })
    .flatten({ background: '#f1f0ec' })
    .rotate(0.6, { background: '#f1f0ec' })
    .jpeg({ quality: 80 })
    .toBuffer();
  return doc.embedJpg(jpeg);
}

/** A volume of `pages` pages: typeset Chinese text, every tenth page a scan. */
async function volumePdf(pages: number, scansOnly = false): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font: PDFFont = await doc.embedFont(await readFile(fontPath), { subset: true });
  const scan = await scanImage(doc);
  for (let n = 1; n <= pages; n++) {
    const page = doc.addPage([595, 842]);
    if (scansOnly || n % 10 === 0) {
      page.drawImage(scan, { x: 0, y: 0, width: 595, height: 842 });
      continue;
    }
    page.drawText(`第 ${n} 页  讯问笔录`, { x: 60, y: 780, size: 16, font });
    for (let l = 0; l < 34; l++)
      page.drawText(paragraph.slice((l * 5) % 50, ((l * 5) % 50) + 32), {
        x: 60,
        y: 740 - l * 20,
        size: 12,
        font,
      });
  }
  return Buffer.from(await doc.save());
}

const stats = (ms: number[]) => ({
  n: ms.length,
  p50: round(percentile(ms, 50), 1),
  p99: round(percentile(ms, 99), 1),
  max: round(Math.max(...ms), 1),
});
const timed = async <T>(run: () => Promise<T>): Promise<[number, T]> => {
  const t = performance.now();
  const out = await run();
  return [performance.now() - t, out];
};
const viewer = (i: number) => [
  `律师${i} 执业证号1310120191001${String(i).padStart(4, '0')}`,
  '张某某涉嫌诈骗案 仅供本案阅卷使用',
];
/** The time on the foot line, to the minute (as the reading service stamps it). */
const stamp = () =>
  new Date()
    .toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
    .replace(/:\d{2}$/, '');

try {
  sampler.phase('make-volume');
  const blobs = createFsBlobStore(join(dir, 'blobs'));
  const pdf = await volumePdf(pageCount);
  const stored = await blobs.put('volumes', Readable.from([pdf]));
  const volume = { id: 'bench-volume', blobId: stored.id };
  const fresh = (name: string, renderers?: number) =>
    createPageImages({ cacheDir: join(dir, name), blobs: () => blobs, fontPath, renderers });

  // 1. The first page after a cold start: empty cache, the volume still in storage.
  sampler.phase('cold-first-page');
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const images = fresh(`cold-${i}`);
    cold.push((await timed(() => images.page(volume, 1, 1200, viewer(1), stamp())))[0]);
  }

  // 2. One core: sharp on one thread, one page at a time; first views, then the same pages cached.
  sampler.phase('one-core');
  sharp.concurrency(1);
  const single = fresh('single', 1);
  await single.source(volume);
  const firstViews: number[] = [];
  const sample = Array.from({ length: 40 }, (_, k) => 1 + ((k * 7) % pageCount));
  let t0 = performance.now();
  for (const n of sample)
    firstViews.push((await timed(() => single.page(volume, n, 1200, viewer(2), stamp())))[0]);
  const firstViewPagesPerSecond = sample.length / ((performance.now() - t0) / 1000);
  const cachedViews: number[] = [];
  t0 = performance.now();
  for (let k = 0; k < 200; k++)
    cachedViews.push(
      (
        await timed(() =>
          single.page(volume, sample[k % sample.length]!, 1200, viewer(3 + (k % 5)), stamp()),
        )
      )[0],
    );
  const cachedPagesPerSecond = 200 / ((performance.now() - t0) / 1000);
  const jpegBytes = (await single.page(volume, 1, 1200, viewer(2), stamp())).length;
  sharp.concurrency(0);

  // 3. Readers at once, each their own watermark, each reading on from their own place.
  sampler.phase('readers');
  const shared = fresh('shared', 2);
  await shared.source(volume);
  const firstLat: number[] = [];
  const againLat: number[] = [];
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: readers }, async (_, r) => {
      const start = 1 + ((r * 13) % Math.max(1, pageCount - perReader));
      for (let k = 0; k < perReader; k++)
        firstLat.push(
          (await timed(() => shared.page(volume, start + k, 1200, viewer(r), stamp())))[0],
        );
      for (let k = 0; k < perReader; k++)
        againLat.push(
          (await timed(() => shared.page(volume, start + k, 1200, viewer(r), stamp())))[0],
        );
    }),
  );
  const readersSeconds = (performance.now() - t0) / 1000;

  // 3b. The same readers as people read: a page every `thinkMs` (first views only, new pages).
  sampler.phase('readers-reading');
  const paced = fresh('paced', 2);
  await paced.source(volume);
  const pacedLat: number[] = [];
  await Promise.all(
    Array.from({ length: readers }, async (_, r) => {
      await new Promise((res) => setTimeout(res, (r * thinkMs) / readers)); // not all in step
      const start = 1 + ((r * 13) % Math.max(1, pageCount - perReader));
      for (let k = 0; k < perReader; k++) {
        pacedLat.push(
          (await timed(() => paced.page(volume, start + k, 1200, viewer(r), stamp())))[0],
        );
        await new Promise((res) => setTimeout(res, thinkMs));
      }
    }),
  );

  // 4. OCR of scanned pages (Tesseract chi_sim, one thread), as the build indexes them.
  sampler.phase('ocr');
  const scans = join(dir, 'scans.pdf');
  writeFileSync(scans, await volumePdf(ocrPages, true));
  const [ocrMs, ocrResult] = await timed(() => extractPages(scans, ocrPages));
  const ocrChars = ocrResult.reduce(
    (s, p) => s + p.words.reduce((a, w) => a + w.text.length, 0),
    0,
  );

  const memory = sampler.stop();
  const figures = {
    volume: {
      pages: pageCount,
      megabytes: round(pdf.length / 1048576, 1),
      scannedEveryTenth: true,
    },
    coldFirstPageMs: cold.map((x) => round(x, 0)),
    coldFirstPageUnder1s: cold.every((x) => x < 1000),
    oneCore: {
      firstViewMs: stats(firstViews),
      cachedMs: stats(cachedViews),
      firstViewPagesPerSecond: round(firstViewPagesPerSecond, 1),
      cachedPagesPerSecond: round(cachedPagesPerSecond, 1),
      jpegKiB: round(jpegBytes / 1024, 0),
    },
    readersAtOnce: {
      readers,
      pagesEach: perReader * 2,
      firstViewMs: stats(firstLat),
      cachedMs: stats(againLat),
      pagesPerSecond: round((firstLat.length + againLat.length) / readersSeconds, 1),
    },
    readersReading: {
      readers,
      thinkMs,
      firstViewMs: stats(pacedLat),
    },
    ocr: {
      pages: ocrPages,
      pagesPerMinutePerCore: round(ocrPages / (ocrMs / 60_000), 1),
      secondsPerPage: round(ocrMs / 1000 / ocrPages, 2),
      charactersRead: ocrChars,
    },
    memoryMb: memory,
  };
  const path = writeResult({
    benchmark: 'reader',
    variant: 'fs',
    startedAt,
    provisional: !final,
    machineAtStart,
    configuration: { pageCount, readers, perReader, ocrPages, width: 1200, format: 'jpeg q82' },
    figures,
    notes: [
      'In process, without HTTP: the /reader route adds two _id reads and a binding check at most every 15 s.',
      'oneCore: sharp.concurrency(1), one page at a time (pdftoppm runs as a child while the process waits).',
      'readersAtOnce: all cores, 2 pdftoppm children at most; each reader has its own watermark (its tile is cached per reader and width); every reader asks for the next page as soon as one arrives (no reading time).',
      'readersReading: the same readers turning to a new page every thinkMs, started spread over one thinkMs.',
      'memoryMb: this process (page cache on disk, not in memory) per phase, and the peaks of pdftoppm and tesseract children.',
    ],
  });
  console.log(JSON.stringify(figures, null, 2));
  console.log(`written ${path}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
