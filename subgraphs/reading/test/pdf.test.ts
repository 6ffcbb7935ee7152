// The qpdf tools on files: page counts and refusals of uploads, the watermark on pages of other
// sizes, and the start-up check's message when qpdf is missing.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPdfTools } from '../src/services/pdf.ts';
import { pdfText } from './zip.ts';

const pdf = createPdfTools();

/** A PDF with one page per size, each saying its size. */
async function pagesOfSizes(sizes: [number, number][]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const [w, h] of sizes) doc.addPage([w, h]).drawText(`page ${w}x${h}`, { x: 20, y: h - 40, size: 12, font });
  return Buffer.from(await doc.save());
}

describe('PDF tools (qpdf)', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'yuejuan-pdf-test-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('counts the pages of a PDF and refuses a damaged or an already encrypted one', async () => {
    await writeFile(file('ok.pdf'), await pagesOfSizes([[595, 842], [842, 595], [300, 300]]));
    expect(await pdf.countPages(file('ok.pdf'))).toBe(3);
    await writeFile(file('bad.pdf'), '%PDF-1.7\ngarbage');
    await expect(pdf.countPages(file('bad.pdf'))).rejects.toMatchObject({ extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    await writeFile(file('wm.pdf'), await pagesOfSizes([[595, 842]]));
    await pdf.stampAndEncrypt(file('ok.pdf'), file('wm.pdf'), file('locked.pdf'), 'Secret234');
    await expect(pdf.countPages(file('locked.pdf'))).rejects.toMatchObject({ extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('lays the CJK watermark over pages of every size and encrypts with the document password only', async () => {
    await writeFile(file('mixed.pdf'), await pagesOfSizes([[595, 842], [842, 595], [200, 150], [1684, 2384]]));
    await pdf.writeWatermark(file('mark.pdf'), '张律师 执业证号13101201910012345 卷宗包 P-1 2025-01-02');
    await pdf.stampAndEncrypt(file('mixed.pdf'), file('mark.pdf'), file('out.pdf'), 'Doc2Password');
    const out = await readFile(file('out.pdf'));
    await expect(pdfText(out)).rejects.toMatchObject({ name: 'PasswordException' });
    const pages = await pdfText(out, 'Doc2Password');
    expect(pages).toHaveLength(4);
    pages.forEach((text, i) => {
      expect(text).toContain(`page ${[[595, 842], [842, 595], [200, 150], [1684, 2384]][i]!.join('x')}`);
      expect(text).toContain('张律师 执业证号13101201910012345 卷宗包 P-1 2025-01-02');
    });
  });

  it('says how to install qpdf when it is missing', async () => {
    await expect(createPdfTools('/nonexistent/qpdf').assertAvailable()).rejects.toThrow(/qpdf.*apt-get install -y qpdf/);
    expect(await pdf.assertAvailable()).toMatch(/^qpdf version \d+/);
  });
});
