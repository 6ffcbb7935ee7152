// Test files made on the spot: PDFs of a few pages (volumes, attachments) and the zip's contents.
import { PDFDocument, StandardFonts } from 'pdf-lib';
import yauzl from 'yauzl';

/** A small PDF with `pages` pages of Latin text (the watermark is the server's business). */
export async function makePdf(title: string, pages = 2): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++)
    doc.addPage([595, 842]).drawText(`${title} - page ${i}`, { x: 60, y: 760, size: 18, font });
  return Buffer.from(await doc.save());
}

/** Entry names and bytes of a zip. */
export function unzip(buffer: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Opens a PDF with pdf.js under `password`; answers its page count (throws on a wrong password). */
export async function openPdf(bytes: Buffer, password?: string): Promise<number> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({
    data: new Uint8Array(bytes),
    password,
    isEvalSupported: false,
    useSystemFonts: false,
  }).promise;
  try {
    return doc.numPages;
  } finally {
    await doc.destroy();
  }
}
