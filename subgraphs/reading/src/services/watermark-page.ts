// Child process of writeWatermark (pdf.ts): `watermark-page.ts <output.pdf> <font.ttf>`, the
// watermark text on stdin. Writes the one-page watermark PDF that qpdf lays over every page.
import { readFile, writeFile } from 'node:fs/promises';
import { PDFDocument, degrees, rgb, type PDFPage } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';

/** A font's glyph outlines, from fontkit (the parts used here). */
interface OutlineFont {
  unitsPerEm: number;
  layout(text: string): { glyphs: { path: GlyphPath }[]; positions: { xAdvance: number }[] };
}
interface GlyphPath {
  translate(x: number, y: number): GlyphPath;
  scale(sx: number, sy: number): GlyphPath;
  toSVG(): string;
}

/**
 * One line of text as a single SVG path of its glyph outlines, `size` points high, its origin at
 * the baseline's left end, y pointing down (as drawSvgPath reads SVG); and its width.
 */
function outline(font: OutlineFont, text: string, size: number): { path: string; width: number } {
  const run = font.layout(text);
  const unit = size / font.unitsPerEm;
  let x = 0;
  const parts: string[] = [];
  run.glyphs.forEach((glyph, i) => {
    parts.push(glyph.path.translate(x, 0).scale(unit, -unit).toSVG());
    x += run.positions[i]!.xAdvance;
  });
  return { path: parts.join(' '), width: x * unit };
}

/** Splits the watermark into lines of at most `max` characters, at spaces. */
function lines(text: string, max: number): string[] {
  const out: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = out.at(-1);
    if (last !== undefined && [...last].length + 1 + [...word].length <= max)
      out[out.length - 1] = `${last} ${word}`;
    else out.push(word);
  }
  return out;
}

const angle = 30;
const rad = (angle * Math.PI) / 180;

/** Draws `text` as filled outlines, rotated by `rotation` degrees about its start. */
function drawOutline(
  page: PDFPage,
  font: OutlineFont,
  text: string,
  at: { x: number; y: number; size: number; rotation: number; gray: number; opacity: number },
) {
  const { path } = outline(font, text, at.size);
  page.drawSvgPath(path, {
    x: at.x,
    y: at.y,
    color: rgb(at.gray, at.gray, at.gray),
    opacity: at.opacity,
    borderWidth: 0,
    rotate: degrees(at.rotation),
  });
}

/**
 * The watermark page (A3: qpdf scales it down to fit each page, keeping its proportions, and
 * centres it): the text, in a few diagonal lines repeated down the page and once along the foot, drawn
 * as the glyphs' outlines rather than as text in an embedded font subset, which viewers drew
 * only in part (issue 15). Every line is sized to stay inside the page at its angle. The same
 * text is also written invisibly, so the watermark can be searched and extracted.
 */
export async function watermarkPdf(text: string, fontBytes: Buffer): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const shapes = (fontkit as unknown as { create(b: Buffer): OutlineFont }).create(fontBytes);
  // A3: qpdf shrinks an overlay to fit a smaller page but never enlarges it, so the page is as
  // large as the largest common case-file page, and A4 pages get it at half size.
  const [width, height] = [1191, 1684];
  const k = width / 595; // sizes below are in A4 points
  const page = doc.addPage([width, height]);
  const margin = 24 * k;

  // Diagonal block: the lines at one size that keeps the longest inside the width at 30°.
  const block = lines(text, 28);
  const unitWidth = Math.max(...block.map((l) => outline(shapes, l, 1).width));
  const size = Math.min(22 * k, (width - 2 * margin) / (unitWidth * Math.cos(rad)));
  const leading = size * 1.6;
  // The block's extent across the page's height: its longest line's rise plus the lines' spread.
  const blockHeight =
    unitWidth * size * Math.sin(rad) + leading * Math.cos(rad) * (block.length - 1) + size;
  const repeats = Math.max(1, Math.floor((height - 2 * margin - 30 * k) / (blockHeight + 40 * k)));
  const gap = (height - 2 * margin - 30 * k - repeats * blockHeight) / repeats;
  for (let r = 0; r < repeats; r++) {
    // Each line is centred on the block's centre, moved across the slant by its place in the block.
    const centre = {
      x: width / 2,
      y: height - margin - gap / 2 - blockHeight / 2 - r * (blockHeight + gap),
    };
    block.forEach((line, i) => {
      const w = outline(shapes, line, size).width;
      const offset = (i - (block.length - 1) / 2) * leading;
      const x = centre.x + offset * Math.sin(rad) - (w / 2) * Math.cos(rad);
      const y = centre.y - offset * Math.cos(rad) - (w / 2) * Math.sin(rad);
      drawOutline(page, shapes, line, { x, y, size, rotation: angle, gray: 0.5, opacity: 0.22 });
    });
  }

  // The foot: the whole text on one line, as large as fits.
  const footSize = Math.min(9 * k, (width - 2 * margin) / outline(shapes, text, 1).width);
  drawOutline(page, shapes, text, {
    x: margin,
    y: margin,
    size: footSize,
    rotation: 0,
    gray: 0.35,
    opacity: 0.85,
  });

  // Searchable, not seen: the text layer keeps the watermark for tools that extract text.
  const font = await doc.embedFont(fontBytes, { subset: true });
  page.drawText(text, { x: margin, y: margin, size: footSize, font, opacity: 0 });
  return doc.save();
}

const [output, fontPath] = process.argv.slice(2);
if (output && fontPath) {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  await writeFile(
    output,
    await watermarkPdf(Buffer.concat(chunks).toString('utf8'), await readFile(fontPath)),
  );
}
