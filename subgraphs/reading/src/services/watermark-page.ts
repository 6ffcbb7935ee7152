// Child process of writeWatermark (pdf.ts): `watermark-page.ts <output.pdf> <font.ttf>`, the
// watermark text on stdin. Writes the one-page watermark PDF that qpdf lays over every page.
import { readFile, writeFile } from 'node:fs/promises';
import { PDFDocument, degrees, rgb } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';

/**
 * The watermark page: a large diagonal line in the middle and a small line at the foot, in the
 * CJK font subset to the glyphs used. A4, the size of most case-file scans: qpdf scales it down
 * to fit smaller pages (keeping its proportions) and centres it on larger ones.
 */
export async function watermarkPdf(text: string, fontBytes: Buffer): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(fontBytes, { subset: true });
  const [width, height] = [595, 842];
  const page = doc.addPage([width, height]);
  const size = Math.max(10, Math.min(width, height) / 28);
  const textWidth = font.widthOfTextAtSize(text, size);
  page.drawText(text, { x: Math.max(10, (width - textWidth * 0.8) / 2), y: height * 0.3, size, font, color: rgb(0.55, 0.55, 0.55), opacity: 0.3, rotate: degrees(35) });
  page.drawText(text, { x: 12, y: 10, size: 7, font, color: rgb(0.4, 0.4, 0.4), opacity: 0.8 });
  return doc.save();
}

const [output, fontPath] = process.argv.slice(2);
if (output && fontPath) {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  await writeFile(output, await watermarkPdf(Buffer.concat(chunks).toString('utf8'), await readFile(fontPath)));
}
