import type { Collection } from 'mongodb';
import {
  AppError,
  newId,
  requireStepUp,
  type Identity,
  type Logger,
  type StepUpClaim,
} from '@yuejuan/runtime';
import type {
  PackageDoc,
  PageViewDoc,
  ReaderGrantDoc,
  ReadingModels,
  ReadingNoteDoc,
  VolumeTextDoc,
} from '../models/index.ts';
import { readingOwned } from '../models/index.ts';
import { assertOwner } from './access.ts';
import { assertDownloadable } from './download.service.ts';
import type { PageImages } from './page-images.ts';
import { extractPages, matchPage, readOutline, withoutRedacted } from './page-text.ts';
import type { Mark } from './redaction.service.ts';
import type { PackageService } from './package.service.ts';
import type { Peers } from './peers.ts';

export interface ReaderSettings {
  /** Life of an online reading (open it again after that, with a new scan). */
  grantTtlSeconds: number;
  /** How long a checked reading is trusted before the package and the binding are checked again. */
  recheckSeconds: number;
  /** Page views are written in batches at least this often. */
  flushMs?: number;
  /** The qpdf executable (reads the volumes' outlines). */
  qpdf: string;
}

/** A reading as last checked: its grant, package, the volumes' blobs, until when its binding holds. */
interface Checked {
  grant: ReaderGrantDoc;
  pkg: PackageDoc;
  blobIds: Map<string, string>;
  boundUntil: number;
}

export interface SearchHit {
  volumeId: string;
  volumeTitle: string;
  page: number;
  before: string;
  match: string;
  after: string;
  ocr: boolean;
  regions: { x: number; y: number; width: number; height: number }[];
}

export interface NoteInput {
  readingId: string;
  volumeId: string;
  page: number;
  kind: 'NOTE' | 'BOOKMARK';
  text?: string | null;
  region?: { x: number; y: number; width: number; height: number } | null;
}

const maxHits = 100;

/**
 * The key of the text a reader sees of a packed volume: the volume's id, or, when it was
 * published with 遮蔽, its id and its published copy's (whose text is what remains).
 */
export const textKey = (v: { volumeId: string; publishedBlobId?: string | null }) =>
  v.publishedBlobId ? `${v.volumeId}@${v.publishedBlobId}` : v.volumeId;
const maxViewGapMs = 5 * 60_000;

/** The watermark's lines: who reads (name, licence number, lawyer id) and what it is for. */
export function readerLines(
  lawyer: { id: string; name?: string; licenceNumber?: string },
  caseName: string,
): string[] {
  return [
    [lawyer.name, lawyer.licenceNumber ? `执业证号${lawyer.licenceNumber}` : null]
      .filter(Boolean)
      .join(' ') || `律师ID ${lawyer.id}`,
    `${caseName.slice(0, 20)} 仅供本案阅卷使用`,
  ];
}

/** 在线阅卷: reading a ready package in the browser, its search, notes and audit. */
export function createReaderService(
  models: ReadingModels,
  packages: PackageService,
  peers: Pick<Peers, 'checkBinding' | 'lawyerContact'>,
  images: PageImages,
  stores: () => { stepUps: Collection<StepUpClaim> },
  settings: ReaderSettings,
  logger: Logger,
) {
  const checked = new Map<string, Checked>();
  let views: Omit<PageViewDoc, '_id'>[] = [];
  let flushing: Promise<void> = Promise.resolve();
  const indexing = new Map<string, Promise<void>>();

  /** Writes the buffered page views in one insert (ordered: false: one bad row loses nothing else). */
  function flush(): Promise<void> {
    if (views.length === 0) return flushing;
    const batch = views.map((v) => ({ _id: newId(), ...v }));
    views = [];
    const byPackage = new Map<string, string[]>();
    for (const v of batch) {
      const ids = byPackage.get(v.packageId);
      if (ids) ids.push(v._id);
      else byPackage.set(v.packageId, [v._id]);
    }
    flushing = flushing
      .then(async () => {
        // Each package's views join its list before they are written (models/owned.ts).
        for (const [packageId, ids] of byPackage)
          await readingOwned(models).pageViewsByPackage.added(packageId, ids);
        await models.PageView.insertMany(batch, { ordered: false });
      })
      .then(
        () => undefined,
        (err) => logger.error({ err, count: batch.length }, 'page views not recorded'),
      );
    return flushing;
  }
  const timer = setInterval(() => void flush(), settings.flushMs ?? 2000);
  timer.unref();

  /**
   * Makes the volume searchable once: its words (text layer, or OCR on scanned pages) and its
   * outline. Used by the package build (with the volume already on disk) and, for volumes built
   * before, when a reading opens.
   */
  function indexVolume(
    volume: { _id: string; blobId: string; pageCount: number },
    file?: string,
    onPage?: (done: number) => Promise<void> | void,
    /** 遮蔽: words under these marks, and withheld pages, are left out. */
    marks: Mark[] = [],
  ): Promise<void> {
    let p = indexing.get(volume._id);
    if (!p) {
      p = (async () => {
        if (await models.VolumeText.exists({ _id: volume._id }).exec()) return;
        const path = file ?? (await images.source({ id: volume._id, blobId: volume.blobId }));
        const pages = withoutRedacted(await extractPages(path, volume.pageCount, onPage), marks);
        const outline = await readOutline(settings.qpdf, path);
        // Boxes first: a volume is searchable (its text exists) only once its highlights are.
        if (pages.length > 0)
          await models.PageWords.bulkWrite(
            pages.map((page, i) => ({
              replaceOne: {
                filter: { _id: `${volume._id}:${i + 1}` },
                replacement: {
                  _id: `${volume._id}:${i + 1}`,
                  boxes: page.words.flatMap((w) => w.box),
                },
                upsert: true,
              },
            })),
          );
        await models.VolumeText.replaceOne(
          { _id: volume._id },
          {
            pages: pages.map((p) => p.words.map((w) => w.text).join(' ')),
            ocrPages: pages.flatMap((p, i) => (p.ocr ? [i + 1] : [])),
            outline,
          },
          { upsert: true },
        ).exec();
      })().finally(() => indexing.delete(volume._id));
      indexing.set(volume._id, p);
    }
    return p;
  }

  /**
   * The reading, if the caller may use it now: this session's, unexpired, its package still
   * ready under the same keys (read on every request: a revoke stops pages at once), and the
   * case still bound (asked of the cases subgraph at most every `recheckSeconds`).
   */
  async function authorise(identity: Identity, readingId: string): Promise<Checked> {
    if (identity.role === 'ANONYMOUS') throw new AppError('UNAUTHENTICATED');
    const now = Date.now();
    let c = checked.get(readingId);
    let pkg: PackageDoc;
    if (!c) {
      const grant = await models.ReaderGrant.findById(readingId).lean<ReaderGrantDoc>().exec();
      if (!grant) throw new AppError('NOT_FOUND', '在线阅卷不存在。');
      pkg = await packages.load(grant.packageId);
      const volumes = await Promise.all(
        pkg.volumes.map((v) =>
          models.Volume.findById(v.volumeId)
            .select('blobId')
            .lean<{ _id: string; blobId: string }>()
            .exec(),
        ),
      );
      // What the reader shows of each volume: its published copy (with 遮蔽 burned in), or the volume.
      const blobIds = new Map(volumes.flatMap((v) => (v ? [[v._id, v.blobId] as const] : [])));
      for (const v of pkg.volumes)
        if (v.publishedBlobId) blobIds.set(v.volumeId, v.publishedBlobId);
      c = { grant, pkg, blobIds, boundUntil: 0 };
    } else pkg = await packages.load(c.grant.packageId);
    const { grant } = c;
    if (
      identity.role !== 'LAWYER' ||
      identity.lawyerId !== grant.lawyerId ||
      identity.sessionId !== grant.sessionId
    )
      throw new AppError('FORBIDDEN', '在线阅卷仅限打开它的登录会话使用。');
    if (grant.expiresAt.getTime() <= now)
      throw new AppError('READING_EXPIRED', '在线阅卷已超时，请重新打开（需再次核验身份）。');
    assertDownloadable(pkg);
    if (pkg.keyVersion !== grant.keyVersion)
      throw new AppError('READING_EXPIRED', '卷宗已重新制作，请重新打开在线阅卷。');
    if (c.boundUntil <= now) {
      const binding = await peers.checkBinding(grant.lawyerId, grant.caseId);
      if (!binding.bound) {
        checked.delete(readingId);
        throw new AppError('CASE_NOT_BOUND', '该案件的绑定已被撤销，无法继续阅卷。');
      }
      c.boundUntil = now + settings.recheckSeconds * 1000;
    }
    c = { ...c, pkg };
    checked.set(readingId, c);
    if (checked.size > 10_000) checked.delete(checked.keys().next().value!);
    return c;
  }

  const pageOf = (c: Checked, volumeId: string, page: number) => {
    const volume = c.pkg.volumes.find((v) => v.volumeId === volumeId);
    const blobId = c.blobIds.get(volumeId);
    if (!volume || !blobId || !Number.isInteger(page) || page < 1 || page > volume.pageCount)
      throw new AppError('NOT_FOUND', '该页不存在。');
    return { id: textKey(volume), blobId };
  };

  return {
    indexVolume,
    authorise,
    flush,

    /** 【在线阅卷】: the lawyer's own ready package, a fresh READ_ONLINE scan, a bound case. */
    async open(identity: Identity, appointmentId: string): Promise<ReaderGrantDoc> {
      const appointment = await packages.appointmentOf(appointmentId);
      const lawyer = assertOwner(identity, appointment.lawyerId);
      if (!appointment.packageId) throw new AppError('PACKAGE_NOT_READY', '卷宗尚未制作完成。');
      const pkg = await packages.load(appointment.packageId);
      assertDownloadable(pkg);
      const binding = await peers.checkBinding(lawyer.lawyerId, appointment.caseId);
      if (!binding.bound) throw new AppError('CASE_NOT_BOUND', '该案件的绑定已被撤销，无法阅卷。');
      await requireStepUp(identity, 'READ_ONLINE', stores().stepUps, { always: true });
      const contact = await peers.lawyerContact(lawyer.lawyerId);
      const grant = await models.ReaderGrant.create({
        packageId: pkg._id,
        keyVersion: pkg.keyVersion,
        appointmentId,
        caseId: appointment.caseId,
        lawyerId: lawyer.lawyerId,
        sessionId: lawyer.sessionId,
        viewer: readerLines(
          { id: lawyer.lawyerId, name: contact?.name, licenceNumber: contact?.licenceNumber },
          pkg.caseName,
        ).join('\n'),
        expiresAt: new Date(Date.now() + settings.grantTtlSeconds * 1000),
      });
      // Volumes packaged before the reader existed get their text now, in the background.
      for (const v of pkg.volumes)
        void models.Volume.findById(v.volumeId)
          .lean<{ _id: string; blobId: string; pageCount: number }>()
          .exec()
          .then(
            (volume) =>
              volume &&
              indexVolume({
                _id: textKey(v),
                blobId: v.publishedBlobId ?? volume.blobId,
                pageCount: v.pageCount,
              }),
          )
          .catch((err) => logger.warn({ err, volumeId: v.volumeId }, 'indexing a volume failed'));
      return grant.toObject() as ReaderGrantDoc;
    },

    /** An open reading of the caller's session, or null. */
    async load(identity: Identity, readingId: string) {
      try {
        return (await authorise(identity, readingId)).grant;
      } catch (err) {
        if (err instanceof AppError && err.extensions.code === 'NOT_FOUND') return null;
        throw err;
      }
    },

    /** The reading's volumes in order, with outlines and whether they can be searched yet. */
    async volumes(grant: ReaderGrantDoc) {
      const pkg = await packages.load(grant.packageId);
      const ordered = [...pkg.volumes].sort((a, b) => a.position - b.position);
      const texts = await Promise.all(
        ordered.map((v) =>
          models.VolumeText.findById(textKey(v))
            .select('outline')
            .lean<Pick<VolumeTextDoc, '_id' | 'outline'>>()
            .exec(),
        ),
      );
      return ordered.map((v, i) => ({
        id: v.volumeId,
        title: v.title,
        position: v.position,
        pageCount: v.pageCount,
        outline: texts[i]?.outline ?? [],
        searchable: !!texts[i],
        supplementedAt: v.supplementedAt?.toISOString() ?? null,
      }));
    },

    /** The JPEG of a page with the reader's watermark; counted as a view unless it is a prefetch or a thumbnail. */
    async page(
      identity: Identity,
      readingId: string,
      volumeId: string,
      page: number,
      width: number,
      from: { ip: string; prefetch: boolean },
    ): Promise<Buffer | null> {
      const c = await authorise(identity, readingId);
      const volume = pageOf(c, volumeId, page);
      if (from.prefetch) {
        await images.render(volume, page, width);
        return null;
      }
      const at = new Date();
      // To the minute: the foot line is made once a minute per reader and width.
      const stamp = at
        .toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
        .replace(/:\d{2}$/, '');
      const jpeg = await images.page(volume, page, width, c.grant.viewer.split('\n'), stamp);
      // Thumbnails (narrower than 300 px: nothing can be read on them) are not counted as read.
      if (width < 300) return jpeg;
      views.push({
        grantId: c.grant._id,
        packageId: c.pkg._id,
        lawyerId: c.grant.lawyerId,
        volumeId,
        page,
        ip: from.ip,
        at,
      });
      if (views.length >= 200) void flush();
      return jpeg;
    },

    /** Full-text search over the reading's volumes, in volume and page order. */
    async search(identity: Identity, readingId: string, query: string): Promise<SearchHit[]> {
      const q = query.trim();
      if (!q || [...q].length > 50)
        throw new AppError('BAD_USER_INPUT', '请输入 1 到 50 个字的检索词。', { field: 'query' });
      const c = await authorise(identity, readingId);
      const ordered = [...c.pkg.volumes].sort((a, b) => a.position - b.position);
      const texts = await Promise.all(
        ordered.map((v) => models.VolumeText.findById(textKey(v)).lean<VolumeTextDoc>().exec()),
      );
      const hits: (SearchHit & { words: number[] })[] = [];
      ordered.forEach((v, i) => {
        const text = texts[i];
        if (!text) return;
        const ocr = new Set(text.ocrPages);
        text.pages.forEach((pageText, p) => {
          if (hits.length >= maxHits) return;
          for (const m of matchPage(pageText, q, maxHits - hits.length))
            hits.push({
              volumeId: v.volumeId,
              volumeTitle: v.title,
              page: p + 1,
              before: m.before,
              match: m.match,
              after: m.after,
              ocr: ocr.has(p + 1),
              regions: [],
              words: m.words,
            });
        });
      });
      // The boxes of the pages with hits, one `_id` read each.
      const keyOf = new Map(ordered.map((v) => [v.volumeId, textKey(v)]));
      const pages = [...new Set(hits.map((h) => `${keyOf.get(h.volumeId)}:${h.page}`))];
      const boxes = new Map(
        await Promise.all(
          pages.map(
            async (id) =>
              [
                id,
                (await models.PageWords.findById(id).lean<{ boxes: number[] }>().exec())?.boxes ??
                  [],
              ] as const,
          ),
        ),
      );
      return hits.map(({ words, ...hit }) => ({
        ...hit,
        regions: words.flatMap((w) => {
          const b = boxes.get(`${keyOf.get(hit.volumeId)}:${hit.page}`)?.slice(w * 4, w * 4 + 4);
          return b?.length === 4
            ? [{ x: b[0]!, y: b[1]!, width: b[2]! - b[0]!, height: b[3]! - b[1]! }]
            : [];
        }),
      }));
    },

    /** The lawyer's own notes on the reading's case, by volume position and page. */
    async notes(grant: ReaderGrantDoc): Promise<ReadingNoteDoc[]> {
      const pkg = await packages.load(grant.packageId);
      const order = new Map(pkg.volumes.map((v) => [v.volumeId, v.position]));
      const notes = await models.ReadingNote.find({
        lawyerId: grant.lawyerId,
        caseId: grant.caseId,
      })
        .lean<ReadingNoteDoc[]>()
        .exec();
      return notes.sort(
        (a, b) =>
          (order.get(a.volumeId) ?? 1e9) - (order.get(b.volumeId) ?? 1e9) ||
          a.page - b.page ||
          a.createdAt.getTime() - b.createdAt.getTime(),
      );
    },

    async addNote(identity: Identity, input: NoteInput): Promise<ReadingNoteDoc> {
      const c = await authorise(identity, input.readingId);
      pageOf(c, input.volumeId, input.page);
      const text = (input.text ?? '').trim();
      if (input.kind === 'NOTE' && !text)
        throw new AppError('BAD_USER_INPUT', '请填写批注内容。', { field: 'text' });
      if ([...text].length > 2000)
        throw new AppError('BAD_USER_INPUT', '批注最多2000字。', { field: 'text' });
      const r = input.region;
      if (
        r &&
        (![r.x, r.y, r.width, r.height].every((n) => Number.isFinite(n) && n >= 0 && n <= 1) ||
          r.x + r.width > 1.0001 ||
          r.y + r.height > 1.0001)
      )
        throw new AppError('BAD_USER_INPUT', '批注区域超出页面。', { field: 'region' });
      const volume = c.pkg.volumes.find((v) => v.volumeId === input.volumeId)!;
      const doc = await models.ReadingNote.create({
        lawyerId: c.grant.lawyerId,
        caseId: c.grant.caseId,
        volumeId: input.volumeId,
        volumeTitle: volume.title,
        page: input.page,
        kind: input.kind,
        text,
        region: r ?? undefined,
      });
      return doc.toObject() as ReadingNoteDoc;
    },

    async deleteNote(identity: Identity, id: string): Promise<boolean> {
      const note = await models.ReadingNote.findById(id).lean<ReadingNoteDoc>().exec();
      if (!note) throw new AppError('NOT_FOUND', '批注不存在。');
      if (identity.role !== 'LAWYER' || identity.lawyerId !== note.lawyerId)
        throw new AppError('FORBIDDEN', '只能删除本人的批注。');
      await models.ReadingNote.deleteOne({ _id: id }).exec();
      return true;
    },

    /** Who read the package online (its page views, oldest first): per reader and volume, pages, views, time. */
    activity(pkg: PackageDoc, all: PageViewDoc[]) {
      const titles = new Map(pkg.volumes.map((v) => [v.volumeId, v.title]));
      const rows = new Map<
        string,
        {
          lawyerId: string;
          volumeId: string;
          ips: Set<string>;
          pages: Set<number>;
          views: number;
          first: Date;
          last: Date;
          ms: number;
        }
      >();
      const lastOf = new Map<string, number>(); // per reader: the time of their previous view
      for (const v of all) {
        const key = `${v.lawyerId}\n${v.volumeId}`;
        const row = rows.get(key) ?? {
          lawyerId: v.lawyerId,
          volumeId: v.volumeId,
          ips: new Set<string>(),
          pages: new Set<number>(),
          views: 0,
          first: v.at,
          last: v.at,
          ms: 0,
        };
        const prev = lastOf.get(v.lawyerId);
        const t = v.at.getTime();
        if (prev !== undefined && t - prev <= maxViewGapMs) row.ms += t - prev;
        lastOf.set(v.lawyerId, t);
        row.pages.add(v.page);
        row.ips.add(v.ip);
        row.views++;
        row.last = v.at;
        rows.set(key, row);
      }
      return [...rows.values()].map((r) => ({
        lawyerId: r.lawyerId,
        volumeTitle: titles.get(r.volumeId) ?? '卷',
        pagesViewed: r.pages.size,
        views: r.views,
        firstAt: r.first.toISOString(),
        lastAt: r.last.toISOString(),
        minutes: Math.round(r.ms / 6000) / 10,
        ips: [...r.ips],
      }));
    },

    async stop() {
      clearInterval(timer);
      await flush();
      await Promise.allSettled(indexing.values());
    },
  };
}
export type ReaderService = ReturnType<typeof createReaderService>;
