// 卷宗目录: a volume's own bookmarks (the PDF outline), read with qpdf, become the reader's
// table of contents with 1-based pages.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, PDFHexString, PDFName, PDFNumber, type PDFRef } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutline } from '../src/services/page-text.ts';

/** A PDF of `pages` pages with bookmarks (title → 1-based page), as scanning software writes them. */
async function withBookmarks(pages: number, marks: [string, number][]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) doc.addPage([595, 842]);
  const ctx = doc.context;
  const outlinesRef = ctx.nextRef();
  const refs: PDFRef[] = marks.map(() => ctx.nextRef());
  marks.forEach(([title, page], i) => {
    const item = ctx.obj({
      Title: PDFHexString.fromText(title),
      Parent: outlinesRef,
      Dest: [doc.getPage(page - 1).ref, PDFName.of('Fit')],
    });
    if (i > 0) item.set(PDFName.of('Prev'), refs[i - 1]!);
    if (i < marks.length - 1) item.set(PDFName.of('Next'), refs[i + 1]!);
    ctx.assign(refs[i]!, item);
  });
  ctx.assign(
    outlinesRef,
    ctx.obj({
      Type: 'Outlines',
      First: refs[0]!,
      Last: refs.at(-1)!,
      Count: PDFNumber.of(marks.length),
    }),
  );
  doc.catalog.set(PDFName.of('Outlines'), outlinesRef);
  return doc.save();
}

describe('卷宗目录 from the PDF outline', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yuejuan-outline-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads each bookmark with its page; a PDF without bookmarks has none', async () => {
    const file = join(dir, 'marked.pdf');
    await writeFile(
      file,
      await withBookmarks(5, [
        ['起诉意见书', 1],
        ['讯问笔录（第一次）', 3],
        ['银行交易明细', 5],
      ]),
    );
    expect(await readOutline('qpdf', file)).toEqual([
      { title: '起诉意见书', page: 1 },
      { title: '讯问笔录（第一次）', page: 3 },
      { title: '银行交易明细', page: 5 },
    ]);
    const plain = join(dir, 'plain.pdf');
    const doc = await PDFDocument.create();
    doc.addPage([595, 842]);
    await writeFile(plain, await doc.save());
    expect(await readOutline('qpdf', plain)).toEqual([]);
  });
});
