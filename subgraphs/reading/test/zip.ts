// Reads the zip a download yields (yauzl), so tests can open every volume with pdfjs-dist.
import yauzl from 'yauzl';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The entries of a zip: name and bytes. */
export async function unzip(
  bytes: Buffer,
): Promise<{ name: string; data: Buffer; compressionMethod: number }[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true, decodeStrings: true }, (err, z) =>
      err ? reject(err) : resolve(z!),
    ),
  );
  const out: { name: string; data: Buffer; compressionMethod: number }[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream!
          .on('data', (c: Buffer) => chunks.push(c))
          .on('end', () => {
            out.push({
              name: entry.fileName,
              data: Buffer.concat(chunks),
              compressionMethod: entry.compressionMethod,
            });
            zip.readEntry();
          })
          .on('error', reject);
      });
    });
    zip.on('end', () => resolve()).on('error', reject);
    zip.readEntry();
  });
  return out;
}

/** Opens a PDF with pdfjs-dist (with or without a password); answers each page's text. */
export async function pdfText(data: Buffer, password?: string): Promise<string[]> {
  const doc = await getDocument({
    data: new Uint8Array(data),
    password,
    isEvalSupported: false,
    verbosity: 0,
  }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
  }
  await doc.destroy();
  return pages;
}
