import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { PDFDocument, degrees, rgb, type PDFFont } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import { encryptPDF } from '@pdfsmaller/pdf-encrypt';
import { AppError } from '@yuejuan/runtime';
import { generatePassword } from './secrets.ts';

const require = createRequire(import.meta.url);
const defaultFont = () => require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
const fonts = new Map<string, Promise<Buffer>>();

/** The CJK font bytes (read once per process; subset into each PDF, so only used glyphs are embedded). */
export const loadFont = (path = defaultFont()) => {
  let font = fonts.get(path);
  if (!font) fonts.set(path, (font = readFile(path)));
  return font;
};

/** Reads a stream whole: pdf-lib parses only complete files (one volume at a time is held). */
export async function readAll(stream: Readable, size: number): Promise<Buffer> {
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for await (const chunk of stream) { (chunk as Buffer).copy(out, at); at += (chunk as Buffer).length; }
  if (at !== size) throw new Error(`expected ${size} bytes, read ${at}`);
  return out;
}

/** Page count of an uploaded PDF; refuses one that does not parse or is already encrypted. */
export async function countPages(stream: Readable, size: number): Promise<number> {
  const bytes = await readAll(stream, size);
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    return doc.getPageCount();
  } catch {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', '无法读取该 PDF（文件损坏或已加密）。');
  }
}

/**
 * Stamps every page with the visible watermark (a large diagonal line in the middle and a
 * small line at the foot), then encrypts with AES-256 (V5/R6) under `documentPassword`, with a
 * random owner password nobody keeps. Answers the new PDF's bytes.
 */
export async function stampAndEncrypt(source: Uint8Array, watermark: string, fontBytes: Buffer, documentPassword: string): Promise<Uint8Array> {
  const doc = await PDFDocument.load(source, { updateMetadata: false });
  doc.registerFontkit(fontkit);
  const font: PDFFont = await doc.embedFont(fontBytes, { subset: true });
  for (const page of doc.getPages()) {
    const { width, height } = page.getSize();
    const size = Math.max(10, Math.min(width, height) / 28);
    const textWidth = font.widthOfTextAtSize(watermark, size);
    page.drawText(watermark, { x: Math.max(10, (width - textWidth * 0.8) / 2), y: height * 0.3, size, font, color: rgb(0.55, 0.55, 0.55), opacity: 0.3, rotate: degrees(35) });
    page.drawText(watermark, { x: 12, y: 10, size: 7, font, color: rgb(0.4, 0.4, 0.4), opacity: 0.8 });
  }
  const stamped = await doc.save({ useObjectStreams: true });
  return encryptPDF(stamped, documentPassword, { ownerPassword: generatePassword(32), allowModifying: false, allowAssembly: false, allowFillingForms: false, allowAnnotating: false });
}
