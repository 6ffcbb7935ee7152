// Writes large valid PDFs straight to disk for the package benchmark: every page holds one
// uncompressed RGB image of random (incompressible) bytes, written chunk by chunk, so a volume
// of hundreds of MB is made without ever holding more than one chunk in memory.
import { randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface BigPdfOptions {
  /** Approximate size of the file, bytes. */
  bytes: number;
  /** Image bytes per page (default 1 MiB): the page count follows. */
  pageBytes?: number;
  /** Text drawn at the top of each page (ASCII). */
  label: string;
}

/** Writes a PDF of about `bytes` bytes to `path`; answers its page count and size. */
export async function writeBigPdf(
  path: string,
  options: BigPdfOptions,
): Promise<{ pages: number; sizeBytes: number }> {
  const side = Math.round(Math.sqrt((options.pageBytes ?? 1024 * 1024) / 3));
  const imageBytes = side * side * 3;
  const pages = Math.max(1, Math.round(options.bytes / imageBytes));
  const out = createWriteStream(path);
  let at = 0;
  const offsets: number[] = [];
  const write = async (data: string | Buffer) => {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    at += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  };
  const object = async (n: number, body: string) => {
    offsets[n] = at;
    await write(`${n} 0 obj\n${body}\nendobj\n`);
  };
  // Objects: 1 catalog, 2 pages, 3 font, then per page i: page 4+3i, content 5+3i, image 6+3i.
  await write('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  await object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  const kids = Array.from({ length: pages }, (_, i) => `${4 + 3 * i} 0 R`).join(' ');
  await object(2, `<< /Type /Pages /Count ${pages} /Kids [${kids}] >>`);
  await object(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  const chunk = Buffer.allocUnsafe(256 * 1024);
  for (let i = 0; i < pages; i++) {
    const [page, content, image] = [4 + 3 * i, 5 + 3 * i, 6 + 3 * i];
    await object(
      page,
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> /XObject << /Im0 ${image} 0 R >> >> /Contents ${content} 0 R >>`,
    );
    const text = `q 495 0 0 495 50 250 cm /Im0 Do Q BT /F1 18 Tf 50 780 Td (${options.label} page ${i + 1}) Tj ET`;
    await object(content, `<< /Length ${text.length} >>\nstream\n${text}\nendstream`);
    offsets[image] = at;
    await write(
      `${image} 0 obj\n<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length ${imageBytes} >>\nstream\n`,
    );
    for (let left = imageBytes; left > 0; left -= chunk.length) {
      const n = Math.min(left, chunk.length);
      randomFillSync(chunk, 0, n);
      await write(Buffer.from(chunk.subarray(0, n))); // a copy: the stream may still hold the last one
    }
    await write('\nendstream\nendobj\n');
  }
  const xref = at;
  const count = 4 + 3 * pages; // objects 0 .. 3 + 3 * pages
  let table = `xref\n0 ${count}\n0000000000 65535 f \n`;
  for (let n = 1; n < count; n++) table += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  await write(`${table}trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  out.end();
  await once(out, 'finish');
  return { pages, sizeBytes: at };
}
