// 遮蔽 (redaction) before publishing. Prosecutors mark regions of pages, or whole pages, of a
// volume with a category and a reason. When the volume is published the marks are burned in:
// each marked page is rasterised (pdftoppm, 200 dpi), the regions painted black in the pixels
// (a withheld page becomes a notice), and the page replaced in the PDF by that picture (qpdf
// --pages), so nothing of its text layer survives to be extracted or searched; unmarked pages are
// copied unchanged. The preview paints the same way on the page as the reader shows it.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { AppError, requireRole, type Identity } from '@yuejuan/runtime';
import type { ReadingModels, RedactionDoc, VolumeDoc } from '../models/index.ts';
import { redactionCategories } from '../models/index.ts';
import { assertReviewer } from './access.ts';
import { unpublishedVolume } from './volume.service.ts';

const run = promisify(execFile);

export type RedactionCategory = (typeof redactionCategories)[number];
export const categoryLabels: Record<RedactionCategory, string> = {
  PERSONAL_DATA: '被害人、证人个人信息',
  MINOR: '未成年人信息',
  STATE_SECRET: '国家秘密',
  OTHER: '其他不宜公开内容',
};

export interface Mark {
  page: number;
  region?: { x: number; y: number; width: number; height: number } | null;
  category: string;
}

export interface RedactionInput {
  volumeId: string;
  page: number;
  region?: { x: number; y: number; width: number; height: number } | null;
  category: RedactionCategory;
  reason: string;
}

/** The page image with the marks of that page burned in: black regions, or a notice for a withheld page. */
export async function paint(image: Buffer, marks: Mark[], fontPath: string): Promise<Buffer> {
  const { width, height } = await sharp(image).metadata();
  const withheld = marks.find((m) => !m.region);
  if (withheld) {
    const size = Math.max(14, Math.round(width / 22));
    const label = categoryLabels[withheld.category as RedactionCategory] ?? '不宜公开内容';
    const notice = await sharp({
      text: {
        text: `<span foreground="#444">本页不予公开\n（${label}）</span>`,
        fontfile: fontPath,
        font: `Noto Sans SC ${size}px`,
        rgba: true,
        align: 'centre',
        dpi: 72,
      },
    })
      .png()
      .toBuffer();
    const m = await sharp(notice).metadata();
    const page = sharp({
      create: { width, height, channels: 3, background: '#f2f2f2' },
    }).composite([
      {
        input: notice,
        left: Math.max(0, Math.round((width - m.width) / 2)),
        top: Math.max(0, Math.round((height - m.height) / 2)),
      },
    ]);
    return page.jpeg({ quality: 92 }).toBuffer();
  }
  const rects = marks
    .map((m) => m.region!)
    .map(
      (r) =>
        `<rect x="${Math.floor(r.x * width)}" y="${Math.floor(r.y * height)}" width="${Math.ceil(r.width * width) + 1}" height="${Math.ceil(r.height * height) + 1}" fill="#000"/>`,
    )
    .join('');
  const painted = sharp(image).composite([
    {
      input: Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${rects}</svg>`,
      ),
      left: 0,
      top: 0,
    },
  ]);
  return painted.jpeg({ quality: 92 }).toBuffer();
}

/**
 * Writes `output`: the PDF at `input` with `marks` burned in. Marked pages become pictures
 * (200 dpi, the regions black) of the same size in points; the others are copied as they are.
 * Answers the marked pages.
 */
export async function redactPdf(
  input: string,
  marks: Mark[],
  pageCount: number,
  dir: string,
  output: string,
  fontPath: string,
): Promise<number[]> {
  const byPage = new Map<number, Mark[]>();
  for (const m of marks)
    if (m.page >= 1 && m.page <= pageCount) byPage.set(m.page, [...(byPage.get(m.page) ?? []), m]);
  const pages = [...byPage.keys()].sort((a, b) => a - b);
  const spec: string[] = [];
  let next = 1;
  for (const n of pages) {
    const prefix = join(dir, `redact-${n}`);
    await run('pdftoppm', [
      '-f',
      String(n),
      '-l',
      String(n),
      '-cropbox',
      '-r',
      '200',
      '-jpeg',
      '-jpegopt',
      'quality=92',
      '-singlefile',
      input,
      prefix,
    ]);
    const painted = await paint(await readFile(`${prefix}.jpg`), byPage.get(n)!, fontPath);
    const meta = await sharp(painted).metadata();
    const doc = await PDFDocument.create();
    const image = await doc.embedJpg(painted);
    const [w, h] = [(meta.width * 72) / 200, (meta.height * 72) / 200];
    doc.addPage([w, h]).drawImage(image, { x: 0, y: 0, width: w, height: h });
    const pagePdf = join(dir, `redact-${n}.pdf`);
    await writeFile(pagePdf, await doc.save());
    if (n > next) spec.push(input, `${next}-${n - 1}`);
    spec.push(pagePdf, '1');
    next = n + 1;
  }
  if (next <= pageCount) spec.push(input, `${next}-z`);
  await run('qpdf', [input, '--pages', ...spec, '--', output]);
  return pages;
}

const regionOf = (r: RedactionInput['region']) => {
  if (!r) return null;
  const ok =
    [r.x, r.y, r.width, r.height].every((n) => Number.isFinite(n) && n >= 0 && n <= 1) &&
    r.width >= 0.005 &&
    r.height >= 0.005 &&
    r.x + r.width <= 1.0001 &&
    r.y + r.height <= 1.0001;
  if (!ok) throw new AppError('BAD_USER_INPUT', '遮蔽区域超出页面或过小。', { field: 'region' });
  return r;
};

/** The marks of volumes: who may change them, and what a publication applies. */
export function createRedactionService(models: ReadingModels) {
  /** A volume of the caller's procuratorate not yet published: its marks may still change. */
  const editable = (identity: Identity, volumeId: string) =>
    unpublishedVolume(
      models,
      identity,
      volumeId,
      '该卷已发布：遮蔽须在发布前完成，如需更改请先撤回卷宗。',
    );

  /** The active marks of a volume, by page. */
  const active = (volumeId: string) =>
    models.Redaction.find({ volumeId, removedAt: { $exists: false } })
      .sort({ page: 1, createdAt: 1 })
      .lean<RedactionDoc[]>()
      .exec();

  return {
    active,

    /** The marks of a volume (removed ones too, with who removed them): its procuratorate's prosecutors. */
    async list(identity: Identity, volumeId: string, withRemoved = false): Promise<RedactionDoc[]> {
      const volume = await models.Volume.findById(volumeId).lean<VolumeDoc>().exec();
      if (!volume) throw new AppError('NOT_FOUND', '卷宗不存在。');
      if (identity.role !== 'ADMINISTRATOR') assertReviewer(identity, volume.procuratorateId);
      if (!withRemoved) return active(volumeId);
      return models.Redaction.find({ volumeId })
        .sort({ page: 1, createdAt: 1 })
        .lean<RedactionDoc[]>()
        .exec();
    },

    async add(identity: Identity, input: RedactionInput): Promise<RedactionDoc> {
      const volume = await editable(identity, input.volumeId);
      const prosecutor = requireRole(identity, 'PROSECUTOR');
      if (!Number.isInteger(input.page) || input.page < 1 || input.page > volume.pageCount)
        throw new AppError('BAD_USER_INPUT', '页码超出该卷的页数。', { field: 'page' });
      if (!redactionCategories.includes(input.category))
        throw new AppError('BAD_USER_INPUT', '请选择遮蔽类别。', { field: 'category' });
      const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
      if (!reason || [...reason].length > 200)
        throw new AppError('BAD_USER_INPUT', '请填写遮蔽理由（最多200字）。', { field: 'reason' });
      const region = regionOf(input.region);
      const doc = await models.Redaction.create({
        volumeId: volume._id,
        procuratorateId: volume.procuratorateId,
        page: input.page,
        ...(region ? { region } : {}),
        category: input.category,
        reason,
        by: prosecutor.prosecutorId,
      });
      return doc.toObject() as RedactionDoc;
    },

    /** Ends a mark (kept, with who ended it and when). */
    async remove(identity: Identity, id: string): Promise<RedactionDoc> {
      const mark = await models.Redaction.findById(id).lean<RedactionDoc>().exec();
      if (!mark || mark.removedAt) throw new AppError('NOT_FOUND', '遮蔽标记不存在。');
      await editable(identity, mark.volumeId);
      const prosecutor = requireRole(identity, 'PROSECUTOR');
      await models.Redaction.updateOne(
        { _id: id },
        { $set: { removedAt: new Date(), removedBy: prosecutor.prosecutorId } },
      ).exec();
      return (await models.Redaction.findById(id).lean<RedactionDoc>().exec())!;
    },
  };
}
export type RedactionService = ReturnType<typeof createRedactionService>;
