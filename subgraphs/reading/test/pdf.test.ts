// The qpdf tools on files: page counts and refusals of uploads, the watermark on pages of other
// sizes, and the start-up check's message when qpdf is missing.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts, degrees } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPdfTools } from '../src/services/pdf.ts';
import { pdfText } from './zip.ts';

const pdf = createPdfTools();

/** A PDF with one page per size, each saying its size. */
async function pagesOfSizes(sizes: [number, number][]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const [w, h] of sizes)
    doc.addPage([w, h]).drawText(`page ${w}x${h}`, { x: 20, y: h - 40, size: 12, font });
  return Buffer.from(await doc.save());
}

const exec = promisify(execFile);

/** A plain grey PNG of `w` × `h` (a stand-in for a scanned page), made without an image library. */
async function greyPng(w: number, h: number): Promise<Buffer> {
  const { deflateSync } = await import('node:zlib');
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header[8] = 8;
  header[9] = 0;
  const rows = Buffer.alloc((w + 1) * h, 0xe8);
  for (let y = 0; y < h; y++) rows[y * (w + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * The text Tesseract reads in the foot of page `n` as rendered (2500 px on its longest side,
 * the bottom 8 %, as displayed: rotation applied), spaces removed.
 */
async function footText(path: string, n: number): Promise<string> {
  // The page as a viewer shows it (its CropBox; its size in pixels from the PNG header), then its foot only.
  const out = `${path}-${n}`;
  const render = (...crop: string[]) =>
    exec('pdftoppm', [
      '-f',
      String(n),
      '-l',
      String(n),
      '-cropbox',
      '-scale-to',
      '2500',
      ...crop,
      '-gray',
      '-png',
      '-singlefile',
      path,
      out,
    ]);
  await render();
  const png = await readFile(`${out}.png`);
  const [W, H] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  const y = Math.round(H * 0.92);
  await render('-x', '0', '-y', String(y), '-W', String(W), '-H', String(H - y));
  const { stdout } = await exec('tesseract', [`${out}.png`, '-', '-l', 'chi_sim', '--psm', '6']);
  return stdout.replace(/\s+/g, '');
}

describe('PDF tools (qpdf)', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yuejuan-pdf-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts the pages of a PDF and refuses a damaged or an already encrypted one', async () => {
    await writeFile(
      file('ok.pdf'),
      await pagesOfSizes([
        [595, 842],
        [842, 595],
        [300, 300],
      ]),
    );
    expect(await pdf.countPages(file('ok.pdf'))).toBe(3);
    await writeFile(file('bad.pdf'), '%PDF-1.7\ngarbage');
    await expect(pdf.countPages(file('bad.pdf'))).rejects.toMatchObject({
      extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' },
    });
    await writeFile(file('wm.pdf'), await pagesOfSizes([[595, 842]]));
    await pdf.stampAndEncrypt(file('ok.pdf'), file('wm.pdf'), file('locked.pdf'), 'Secret234');
    await expect(pdf.countPages(file('locked.pdf'))).rejects.toMatchObject({
      extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' },
    });
  });

  it('lays the CJK watermark over pages of every size and encrypts with the document password only', async () => {
    await writeFile(
      file('mixed.pdf'),
      await pagesOfSizes([
        [595, 842],
        [842, 595],
        [200, 150],
        [1684, 2384],
      ]),
    );
    await pdf.writeWatermark(
      file('mark.pdf'),
      '张律师 执业证号13101201910012345 卷宗包 P-1 2025-01-02',
    );
    await pdf.stampAndEncrypt(file('mixed.pdf'), file('mark.pdf'), file('out.pdf'), 'Doc2Password');
    const out = await readFile(file('out.pdf'));
    await expect(pdfText(out)).rejects.toMatchObject({ name: 'PasswordException' });
    const pages = await pdfText(out, 'Doc2Password');
    expect(pages).toHaveLength(4);
    pages.forEach((text, i) => {
      expect(text).toContain(
        `page ${[
          [595, 842],
          [842, 595],
          [200, 150],
          [1684, 2384],
        ][i]!.join('x')}`,
      );
      expect(text).toContain('张律师 执业证号13101201910012345 卷宗包 P-1 2025-01-02');
    });
  });

  it('draws the whole watermark in the pixels of every page: A4, landscape, A3, small, rotated, offset and cropped, and a scanned image (read back by OCR)', async () => {
    // What a lawyer sees: the decrypted volume rasterised by poppler (pdftoppm), the watermark's
    // foot line read back by Tesseract (chi_sim), never from the text layer.
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    for (const [w, h] of [
      [595, 842],
      [842, 595],
      [1191, 1684],
      [300, 200],
    ] as const)
      doc.addPage([w, h]).drawText(`page ${w}x${h}`, { x: 20, y: h - 40, size: 12, font });
    doc.addPage([595, 842]).setRotation(degrees(90));
    // A page whose boxes do not start at the origin, shown cropped (as scanners and croppers write them).
    const offset = doc.addPage([595, 842]);
    offset.setMediaBox(100, 100, 595, 842);
    offset.setCropBox(150, 150, 495, 742);
    offset.drawText('offset page', { x: 170, y: 860, size: 12, font });
    // A scanned page: one grey image and nothing else (the scanners' usual output).
    const scan = await PDFDocument.create();
    const png = await scan.embedPng(await greyPng(400, 566));
    scan.addPage([595, 842]).drawImage(png, { x: 0, y: 0, width: 595, height: 842 });
    for (const p of await doc.copyPages(scan, [0])) doc.addPage(p);
    await writeFile(file('pages.pdf'), await doc.save());
    const text =
      '陈志远 执业证号13101200910234561 律师ID 6b13a8168fa69afa59a5d965 卷宗包 6b13a8168fa69afa59a5d999 2026-12-05 仅供本案阅卷使用';
    await pdf.writeWatermark(file('wm.pdf'), text);
    await pdf.stampAndEncrypt(
      file('pages.pdf'),
      file('wm.pdf'),
      file('stamped.pdf'),
      'Doc3Password',
    );
    await exec('qpdf', [
      '--password=Doc3Password',
      '--decrypt',
      file('stamped.pdf'),
      file('opened.pdf'),
    ]);
    for (let n = 1; n <= 7; n++) {
      const seen = await footText(file('opened.pdf'), n);
      expect(seen, `page ${n}`).toContain('执业证号13101200910234561');
      expect(seen, `page ${n}`).toContain('陈志远');
      expect(seen, `page ${n}`).toContain('仅供本案阅卷使用');
      expect(seen, `page ${n}`).toContain('6b13a8168fa69afa59a5d999');
    }
  });

  it('says how to install qpdf when it is missing', async () => {
    await expect(createPdfTools('/nonexistent/qpdf').assertAvailable()).rejects.toThrow(
      /qpdf.*apt-get install -y qpdf/,
    );
    expect(await pdf.assertAvailable()).toMatch(/^qpdf version \d+/);
  });
});
