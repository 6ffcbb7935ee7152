// 在线阅卷 over real HTTP and the real database: opening a reading (READ_ONLINE scan), page
// images with the reader's watermark read back from the pixels by Tesseract, who may fetch
// them, full-text search over the text layer and OCR of a scanned page, private notes, and the
// prosecutor's reading audit.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '@yuejuan/runtime';
import { startReading, type Harness } from './harness.ts';
import {
  freshLawyer,
  readyPackage,
  seedProcuratorates,
  until,
  uploadVolume,
  wangSh,
  withStepUp,
  zhaoGd,
} from './fixtures.ts';
import { pdfText, unzip } from './zip.ts';

const exec = promisify(execFile);
const require = createRequire(import.meta.url);
const fontPath =
  require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');

/** A volume: two pages with a Chinese text layer, then a scanned page (an image of text, no text layer). */
async function chineseVolume(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(await readFile(fontPath), { subset: true });
  const lines = [
    ['起诉意见书', '犯罪嫌疑人李某涉嫌诈骗罪一案，现已侦查终结。', '经依法审查查明的事实如下。'],
    ['询问笔录', '证人王某称：二〇二五年三月见到李某收取款项。', '以上笔录已经本人核对无误。'],
  ];
  for (const page of lines) {
    const p = doc.addPage([595, 842]);
    page.forEach((text, i) => p.drawText(text, { x: 60, y: 760 - i * 40, size: 16, font }));
  }
  // The scan: the text drawn into pixels (as a scanner would), placed as the page's only content.
  const scan = await sharp({
    text: {
      text: '<span foreground="black">扣押物品清单\n银行卡三张　手机一部</span>',
      fontfile: fontPath,
      font: 'Noto Sans SC 56px',
      rgba: true,
      dpi: 72,
    },
  })
    .extend({ top: 80, bottom: 1600, left: 120, right: 500, background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
  const image = await doc.embedPng(scan);
  doc.addPage([595, 842]).drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
  return Buffer.from(await doc.save());
}

/** The mean grey level (0 black … 255 white) inside a region of an image given in fractions. */
async function darkness(
  image: Buffer,
  r: { x: number; y: number; width: number; height: number },
): Promise<number> {
  const { width, height } = await sharp(image).metadata();
  // The region's inside (a margin off each edge: JPEG blurs the border).
  const box = {
    left: Math.round((r.x + 0.02) * width),
    top: Math.round((r.y + 0.01) * height),
    width: Math.round((r.width - 0.04) * width),
    height: Math.round((r.height - 0.02) * height),
  };
  // (stats() reads its input, not the pipeline's result: the region is cut out first.)
  const region = await sharp(image).extract(box).greyscale().toBuffer();
  const { channels } = await sharp(region).stats();
  return channels[0]!.mean;
}

/** The text Tesseract reads in the bottom strip of a page image (the watermark's foot line). */
async function footText(jpeg: Buffer, dir: string): Promise<string> {
  const { width, height } = await sharp(jpeg).metadata();
  const strip = Math.round(height * 0.035);
  const file = join(dir, `foot-${Math.random().toString(36).slice(2)}.png`);
  await sharp(jpeg)
    .extract({ left: 0, top: height - strip, width, height: strip })
    .resize({ width: width * 2 })
    .greyscale()
    .normalise()
    .png()
    .toFile(file);
  const { stdout } = await exec('tesseract', [file, '-', '-l', 'chi_sim', '--psm', '7']);
  return stdout.replace(/\s+/g, '');
}

const open = /* GraphQL */ `
  mutation O($id: ID!) {
    openOnlineReading(appointmentId: $id) {
      id
      expiresAt
      watermark
      caseName
      volumes {
        id
        title
        position
        pageCount
        searchable
        supplementedAt
        outline {
          title
          page
        }
      }
    }
  }
`;
const search = /* GraphQL */ `
  query S($id: ID!, $q: String!) {
    searchCaseFile(readingId: $id, query: $q) {
      volumeId
      volumeTitle
      page
      before
      match
      after
      ocr
      regions {
        x
        y
        width
        height
      }
    }
  }
`;
const addNote = /* GraphQL */ `
  mutation N($input: ReadingNoteInput!) {
    addReadingNote(input: $input) {
      id
      kind
      page
      text
      volumeTitle
      region {
        x
        y
        width
        height
      }
    }
  }
`;
const notes = /* GraphQL */ `
  query L($id: ID!) {
    onlineReading(id: $id) {
      id
      notes {
        id
        kind
        page
        text
      }
    }
  }
`;
const activity = /* GraphQL */ `
  query A($id: ID!) {
    appointment(id: $id) {
      package {
        readingActivity {
          lawyer {
            id
          }
          volumeTitle
          pagesViewed
          views
          minutes
          ips
        }
      }
    }
  }
`;

describe('在线阅卷 (online reading)', () => {
  let h: Harness;
  let dir: string;
  /** The renderer's cache: the pages as rendered, before any watermark. */
  let cacheDir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yuejuan-reader-test-'));
    cacheDir = join(dir, 'cache');
    h = await startReading('reader', { READER_RECHECK_SECONDS: '0', READER_CACHE_DIR: cacheDir });
    await seedProcuratorates(h);
  });
  afterAll(async () => {
    await h?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('opens after a READ_ONLINE scan, serves watermarked pages to that session only, searches text and OCR, keeps private notes, and audits what was read', async () => {
    const lawyer = freshLawyer();
    const ready = await readyPackage(h, lawyer, [['第1卷 诉讼文书', 2]], '李某诈骗案');

    // Without a scan: the identity QR is asked for, with its purpose.
    const refused = await h.call(lawyer, open, { id: ready.appointmentId });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'STEP_UP_REQUIRED',
      purpose: 'READ_ONLINE',
    });
    // Another lawyer cannot open it, scan or not.
    const other = freshLawyer();
    const stranger = await h.call(withStepUp(other, 'READ_ONLINE'), open, {
      id: ready.appointmentId,
    });
    expect(stranger.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const scanned = withStepUp(lawyer, 'READ_ONLINE');
    const opened = await h.call(scanned, open, { id: ready.appointmentId });
    expect(opened.errors).toBeUndefined();
    const r = opened.data.openOnlineReading;
    expect(r.caseName).toBe('李某诈骗案');
    expect(r.watermark[0]).toContain('执业证号13101201910012345');
    expect(r.volumes.map((v: { title: string }) => v.title)).toEqual(['第1卷 诉讼文书']);
    // The scan is spent: opening again needs another.
    const again = await h.call(scanned, open, { id: ready.appointmentId });
    expect(again.errors?.[0]?.extensions?.code).toBe('STEP_UP_REQUIRED');

    const volume = r.volumes[0];
    const pagePath = (n: number, w = 1200) => `/reader/${r.id}/${volume.id}/${n}?w=${w}`;
    // Each page: a JPEG carrying the reader's name, licence number and purpose in its pixels.
    for (let n = 1; n <= volume.pageCount; n++) {
      const res = await h.route(lawyer, pagePath(n, 1600));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('cache-control')).toBe('private, no-store');
      const jpeg = Buffer.from(await res.arrayBuffer());
      const meta = await sharp(jpeg).metadata();
      expect(meta.width).toBe(1600);
      const seen = await footText(jpeg, dir);
      expect(seen, `page ${n}`).toContain('13101201910012345');
      expect(seen, `page ${n}`).toContain('仅供本案阅卷使用');
      // The tiled watermark covers the page: every quarter differs from the clean rendering.
      const clean = await readFile(join(cacheDir, 'pages', volume.id, '1600', `${n}.jpg`));
      const [a = Buffer.alloc(0), b = Buffer.alloc(0)] = await Promise.all(
        [jpeg, clean].map((img) => sharp(img).greyscale().raw().toBuffer()),
      );
      const quarters = [0, 1, 2, 3].map((q) => {
        const [qx, qy] = [q % 2, Math.floor(q / 2)];
        let differ = 0;
        for (
          let y = Math.floor((qy * meta.height) / 2);
          y < ((qy + 1) * meta.height) / 2 - 80;
          y += 2
        )
          for (let x = Math.floor((qx * meta.width) / 2); x < ((qx + 1) * meta.width) / 2; x += 2)
            if (Math.abs(a[y * meta.width + x]! - b[y * meta.width + x]!) > 24) differ++;
        return differ;
      });
      for (const d of quarters) expect(d).toBeGreaterThan(500);
    }

    // Refused: no session, another lawyer, the same lawyer in another login session, a page out of range.
    expect((await h.route(null, pagePath(1))).status).toBe(401);
    expect((await h.route(other, pagePath(1))).status).toBe(403);
    expect(
      (await h.route({ ...lawyer, sessionId: 'another-session' } as Identity, pagePath(1))).status,
    ).toBe(403);
    expect((await h.route(lawyer, pagePath(volume.pageCount + 1))).status).toBe(404);
    expect((await h.route(lawyer, `/reader/${r.id}/${volume.id}/0`)).status).toBe(400);
    // A prefetch renders ahead without an image, and is not counted as read.
    const ahead = await h.route(lawyer, `${pagePath(2, 800)}&prefetch=1`);
    expect(ahead.status).toBe(204);
    expect((await ahead.arrayBuffer()).byteLength).toBe(0);

    // The prosecutor sees who read what; the lawyer does not see the audit.
    await until(async () => {
      const a = await h.call(wangSh, activity, { id: ready.appointmentId });
      const rows = a.data?.appointment?.package?.readingActivity ?? [];
      return rows.length === 1 && rows[0].views === volume.pageCount ? rows : null;
    }, 10_000);
    const audit = await h.call(wangSh, activity, { id: ready.appointmentId });
    expect(audit.data.appointment.package.readingActivity[0]).toMatchObject({
      lawyer: { id: lawyer.lawyerId },
      volumeTitle: '第1卷 诉讼文书',
      pagesViewed: volume.pageCount,
      views: volume.pageCount,
    });
    expect(audit.data.appointment.package.readingActivity[0].ips).toHaveLength(1);
    const own = await h.call(lawyer, activity, { id: ready.appointmentId });
    expect(own.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Notes: private to the lawyer, on a page of the reading.
    const note = await h.call(lawyer, addNote, {
      input: {
        readingId: r.id,
        volumeId: volume.id,
        page: 2,
        kind: 'NOTE',
        text: '注意第二页的日期',
        region: { x: 0.1, y: 0.1, width: 0.5, height: 0.1 },
      },
    });
    expect(note.errors).toBeUndefined();
    expect(note.data.addReadingNote).toMatchObject({
      kind: 'NOTE',
      page: 2,
      volumeTitle: '第1卷 诉讼文书',
    });
    const empty = await h.call(lawyer, addNote, {
      input: { readingId: r.id, volumeId: volume.id, page: 1, kind: 'NOTE', text: '  ' },
    });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
    const outside = await h.call(lawyer, addNote, {
      input: {
        readingId: r.id,
        volumeId: volume.id,
        page: 1,
        kind: 'BOOKMARK',
        region: { x: 0.8, y: 0.1, width: 0.5, height: 0.1 },
      },
    });
    expect(outside.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'region',
    });
    const mark = await h.call(lawyer, addNote, {
      input: { readingId: r.id, volumeId: volume.id, page: 1, kind: 'BOOKMARK' },
    });
    expect(mark.errors).toBeUndefined();
    const listed = await h.call(lawyer, notes, { id: r.id });
    expect(listed.data.onlineReading.notes.map((n: { page: number }) => n.page)).toEqual([1, 2]);
    // Nobody else reads or deletes them: not the prosecutor, not another lawyer.
    expect((await h.call(wangSh, notes, { id: r.id })).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
    const del = /* GraphQL */ `
      mutation D($id: ID!) {
        deleteReadingNote(id: $id)
      }
    `;
    const noteId = note.data.addReadingNote.id;
    expect((await h.call(other, del, { id: noteId })).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect((await h.call(lawyer, del, { id: noteId })).data.deleteReadingNote).toBe(true);

    // Revoked by the prosecutor: pages stop at once.
    const revoke = /* GraphQL */ `
      mutation V($id: ID!, $reason: String!) {
        revokePackage(id: $id, reason: $reason) {
          id
          status
        }
      }
    `;
    const revoked = await h.call(wangSh, revoke, { id: ready.pkg.id, reason: '材料有误' });
    expect(revoked.errors).toBeUndefined();
    const after = await h.route(lawyer, pagePath(1));
    expect(after.status).toBe(410);
    expect(((await after.json()) as { code: string }).code).toBe('PACKAGE_REVOKED');
  });

  it('finds Chinese words inside longer words, in the text layer and by OCR on a scanned page, with where they are on the page', async () => {
    const lawyer = freshLawyer();
    const ready = await readyPackage(h, lawyer, [], '王某诈骗案', async (caseId) => {
      const up = await uploadVolume(h, wangSh, caseId, '第1卷 证据材料', await chineseVolume());
      expect(up.status).toBe(201);
    });
    const opened = await h.call(withStepUp(lawyer, 'READ_ONLINE'), open, {
      id: ready.appointmentId,
    });
    expect(opened.errors).toBeUndefined();
    const r = opened.data.openOnlineReading;
    expect(r.volumes[0]).toMatchObject({ pageCount: 3, searchable: true });

    const fraud = await h.call(lawyer, search, { id: r.id, q: '诈骗' });
    expect(fraud.errors).toBeUndefined();
    expect(fraud.data.searchCaseFile).toHaveLength(1);
    const hit = fraud.data.searchCaseFile[0];
    expect(hit).toMatchObject({
      page: 1,
      match: '诈骗',
      ocr: false,
      volumeTitle: '第1卷 证据材料',
    });
    expect(hit.before + hit.match + hit.after).toContain('涉嫌诈骗罪');
    expect(hit.regions.length).toBeGreaterThan(0);
    const box = hit.regions[0];
    // 涉嫌诈骗罪 is on the page's second line, near the top left.
    expect(box.y).toBeGreaterThan(0.05);
    expect(box.y).toBeLessThan(0.2);

    // The scanned page: OCR found its words, with their places.
    const seized = await h.call(lawyer, search, { id: r.id, q: '扣押物品' });
    expect(seized.data.searchCaseFile).toHaveLength(1);
    expect(seized.data.searchCaseFile[0]).toMatchObject({ page: 3, ocr: true });
    expect(seized.data.searchCaseFile[0].regions.length).toBeGreaterThan(0);

    // Spaces do not matter; nothing found is an empty list; an empty or long query is refused.
    expect(
      (await h.call(lawyer, search, { id: r.id, q: '王 某' })).data.searchCaseFile,
    ).toHaveLength(1);
    expect(
      (await h.call(lawyer, search, { id: r.id, q: '不存在的词' })).data.searchCaseFile,
    ).toEqual([]);
    expect(
      (await h.call(lawyer, search, { id: r.id, q: ' ' })).errors?.[0]?.extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
    // Only the session that opened it may search it.
    const other = await h.call(freshLawyer(), search, { id: r.id, q: '诈骗' });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('补充卷宗: volumes uploaded after publishing are added to the ready package, rebuilt under new passwords; the lawyer is told what was added and the reader marks them', async () => {
    const lawyer = freshLawyer();
    const ready = await readyPackage(h, lawyer, [['第1卷 诉讼文书', 2]], '赵某诈骗案');
    const supplement = /* GraphQL */ `
      mutation M($id: ID!) {
        publishSupplement(appointmentId: $id) {
          id
          status
          volumes {
            title
            supplementedAt
          }
        }
      }
    `;
    // Nothing new uploaded yet; and only the procuratorate may do it.
    const nothing = await h.call(wangSh, supplement, { id: ready.appointmentId });
    expect(nothing.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'volumes',
    });
    expect(
      (await h.call(lawyer, supplement, { id: ready.appointmentId })).errors?.[0]?.extensions?.code,
    ).toBe('FORBIDDEN');

    const first = await h.call(withStepUp(lawyer, 'READ_ONLINE'), open, {
      id: ready.appointmentId,
    });
    const before = first.data.openOnlineReading;
    const up = await uploadVolume(
      h,
      wangSh,
      ready.caseId,
      '第2卷 补充侦查材料',
      await chineseVolume(),
    );
    expect(up.status).toBe(201);
    const done = await h.call(wangSh, supplement, { id: ready.appointmentId });
    expect(done.errors).toBeUndefined();
    expect(done.data.publishSupplement.status).toBe('PREPARING');
    const smsBefore = h.sms.filter((m) => m.to.recipientId === lawyer.lawyerId).length;
    await until(async () => {
      const p = await h.models.Package.findById(ready.pkg.id).lean().exec();
      return p?.status === 'READY' && p.keyVersion === 2 ? p : null;
    });
    const pkg = (await h.models.Package.findById(ready.pkg.id).lean().exec())!;
    expect(pkg.volumes.map((v) => [v.title, !!v.supplementedAt])).toEqual([
      ['第1卷 诉讼文书', false],
      ['第2卷 补充侦查材料', true],
    ]);
    // The ready event says what was added (the notifications subgraph tells the lawyer from it).
    // It is published just after the package is marked READY: wait for it.
    const events = await until(async () => {
      const found = await h.db
        .getClient()
        .db(`${h.db.name}_ev`)
        .collection('events')
        .find({ topic: 'reading.package.changed', 'payload.packageId': ready.pkg.id })
        .toArray();
      return found.at(-1)?.payload.status === 'READY' ? found : null;
    });
    expect(events.at(-1)?.payload).toMatchObject({
      status: 'READY',
      supplement: '第2卷 补充侦查材料（3页）',
      caseName: '赵某诈骗案',
    });
    // New passwords by SMS, as for any build; the reading opened before must be opened again.
    await until(
      async () => h.sms.filter((m) => m.to.recipientId === lawyer.lawyerId).length >= smsBefore + 2,
    );
    const old = await h.route(lawyer, `/reader/${before.id}/${before.volumes[0].id}/1?w=800`);
    expect(old.status).toBe(410);
    expect(((await old.json()) as { code: string }).code).toBe('READING_EXPIRED');
    const again = await h.call(withStepUp(lawyer, 'READ_ONLINE'), open, {
      id: ready.appointmentId,
    });
    expect(again.errors).toBeUndefined();
    const marked = again.data.openOnlineReading.volumes;
    expect(marked.map((v: { title: string }) => v.title)).toEqual([
      '第1卷 诉讼文书',
      '第2卷 补充侦查材料',
    ]);
    expect(marked[0].supplementedAt).toBeNull();
    expect(Date.parse(marked[1].supplementedAt)).toBeGreaterThan(0);
    // A second supplement without new uploads is refused again.
    expect(
      (await h.call(wangSh, supplement, { id: ready.appointmentId })).errors?.[0]?.extensions?.code,
    ).toBe('BAD_USER_INPUT');
  });

  it('遮蔽: marks made before publishing are burned in: the text under a region is gone from the PDF and from search, its pixels are black, a withheld page shows a notice; the preview shows it first; every mark is audited', async () => {
    const lawyer = freshLawyer();
    const addMark = /* GraphQL */ `
      mutation R($input: RedactionInput!) {
        addRedaction(input: $input) {
          id
          page
          category
          reason
          markedBy
          region {
            y
          }
        }
      }
    `;
    // Page 2's second line (证人王某称…), as fractions of the page from the top left.
    const witnessLine = { x: 0.05, y: 0.1, width: 0.9, height: 0.06 };
    let volumeId = '';
    const ready = await readyPackage(h, lawyer, [], '钱某诈骗案', async (caseId) => {
      const up = await uploadVolume(h, wangSh, caseId, '第1卷 证据材料', await chineseVolume());
      volumeId = up.body.id;
      // Refused: a lawyer, another procuratorate, a region off the page, no reason.
      const input = {
        volumeId,
        page: 2,
        region: witnessLine,
        category: 'PERSONAL_DATA',
        reason: '证人姓名',
      };
      expect((await h.call(lawyer, addMark, { input })).errors?.[0]?.extensions?.code).toBe(
        'FORBIDDEN',
      );
      expect((await h.call(zhaoGd, addMark, { input })).errors?.[0]?.extensions?.code).toBe(
        'FORBIDDEN',
      );
      const off = await h.call(wangSh, addMark, {
        input: { ...input, region: { x: 0.8, y: 0.1, width: 0.5, height: 0.1 } },
      });
      expect(off.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'region',
      });
      const noReason = await h.call(wangSh, addMark, { input: { ...input, reason: ' ' } });
      expect(noReason.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'reason',
      });
      const region = await h.call(wangSh, addMark, { input });
      expect(region.errors).toBeUndefined();
      expect(region.data.addRedaction).toMatchObject({ page: 2, markedBy: 'prosecutor-wang' });
      const whole = await h.call(wangSh, addMark, {
        input: { volumeId, page: 3, category: 'STATE_SECRET', reason: '涉密清单' },
      });
      expect(whole.errors).toBeUndefined();
      // A mark made in error is ended, and stays in the audit.
      const wrong = await h.call(wangSh, addMark, {
        input: { volumeId, page: 1, region: witnessLine, category: 'OTHER', reason: '误标' },
      });
      const removed = await h.call(
        wangSh,
        /* GraphQL */ `
          mutation X($id: ID!) {
            removeRedaction(id: $id) {
              removedAt
              removedBy
            }
          }
        `,
        { id: wrong.data.addRedaction.id },
      );
      expect(removed.data.removeRedaction.removedBy).toBe('prosecutor-wang');

      // The preview: the page as the lawyer will see it, the region black.
      const preview = await h.route(wangSh, `/volume-pages/${volumeId}/2?w=800`);
      expect(preview.status).toBe(200);
      expect(await darkness(Buffer.from(await preview.arrayBuffer()), witnessLine)).toBeLessThan(
        60,
      );
      expect((await h.route(lawyer, `/volume-pages/${volumeId}/2?w=800`)).status).toBe(403);
    });
    const audit = await h.call(
      wangSh,
      /* GraphQL */ `
        query Q($id: ID!) {
          volumeRedactions(volumeId: $id, includeRemoved: true) {
            page
            category
            reason
            markedBy
            removedAt
          }
        }
      `,
      { id: volumeId },
    );
    expect(audit.data.volumeRedactions.map((r: { reason: string }) => r.reason)).toEqual([
      '误标',
      '证人姓名',
      '涉密清单',
    ]);
    // Published: the marks are fixed now.
    const late = await h.call(wangSh, addMark, {
      input: { volumeId, page: 1, region: witnessLine, category: 'OTHER', reason: '晚了' },
    });
    expect(late.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const pkg = (await h.models.Package.findById(ready.pkg.id).lean().exec())!;
    expect(pkg.volumes[0]).toMatchObject({ redactions: 2 });

    // The downloaded PDF: page 1 keeps its text; page 2's witness line cannot be extracted; page 3 is withheld.
    const zip = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      h.services
        .blobs()
        .open('packages', pkg.blobId!)
        .on('data', (c: Buffer) => chunks.push(c))
        .on('end', () => resolve(Buffer.concat(chunks)))
        .on('error', reject);
    });
    const [entry] = await unzip(zip);
    const pages = await pdfText(entry!.data, ready.documentPassword);
    expect(pages[0]).toContain('涉嫌诈骗罪');
    expect(pages[1]).not.toContain('王某');
    expect(pages[1]).not.toContain('证人');
    expect(pages[2]).not.toContain('扣押');

    // Search: nothing under the marks, nothing of the withheld page; the rest of page 2 is found.
    const opened = await h.call(withStepUp(lawyer, 'READ_ONLINE'), open, {
      id: ready.appointmentId,
    });
    const r = opened.data.openOnlineReading;
    expect((await h.call(lawyer, search, { id: r.id, q: '王某' })).data.searchCaseFile).toEqual([]);
    expect((await h.call(lawyer, search, { id: r.id, q: '扣押' })).data.searchCaseFile).toEqual([]);
    const rest = await h.call(lawyer, search, { id: r.id, q: '核对无误' });
    expect(rest.data.searchCaseFile).toMatchObject([{ page: 2, ocr: false }]);
    expect(
      (await h.call(lawyer, search, { id: r.id, q: '诈骗' })).data.searchCaseFile,
    ).toMatchObject([{ page: 1, ocr: false }]);
    // The reader's page image: the region is black under the watermark.
    const img = await h.route(lawyer, `/reader/${r.id}/${volumeId}/2?w=1200`);
    expect(img.status).toBe(200);
    expect(await darkness(Buffer.from(await img.arrayBuffer()), witnessLine)).toBeLessThan(60);
    // The withheld page: a notice instead of the page, read back from its pixels.
    const withheld = await h.route(lawyer, `/reader/${r.id}/${volumeId}/3?w=1200`);
    const file = join(dir, 'withheld.jpg');
    await writeFile(file, Buffer.from(await withheld.arrayBuffer()));
    const { stdout } = await exec('tesseract', [file, '-', '-l', 'chi_sim', '--psm', '3']);
    expect(stdout.replace(/\s+/g, '')).toContain('本页不予公开');
    expect(stdout).not.toContain('扣押');

    // Withdrawn: the published copy goes with the zip.
    const copy = pkg.volumes[0]!.publishedBlobId!;
    expect(await h.services.blobs().size('volumes', copy)).toBeGreaterThan(0);
    const revoked = await h.call(
      wangSh,
      /* GraphQL */ `
        mutation V($id: ID!, $reason: String!) {
          revokePackage(id: $id, reason: $reason) {
            status
          }
        }
      `,
      { id: ready.pkg.id, reason: '重新遮蔽' },
    );
    expect(revoked.data.revokePackage.status).toBe('REVOKED');
    expect(await h.services.blobs().size('volumes', copy)).toBeNull();
  });
});
