import type { Express, Request, Response } from 'express';
import { AppError, newId, type Logger } from '@yuejuan/runtime';
import { readingOwned } from './models/index.ts';
import type { ReadingServices } from './services/index.ts';
import { packageBucket } from './services/builder.ts';
import {
  clientIp,
  contentDisposition,
  parseRange,
  routeIdentity,
  sendRouteError,
} from '@yuejuan/runtime/storage';
import { sendStream } from './services/send-stream.ts';
import { paint } from './services/redaction.service.ts';
import { downloadBytesTotal, readerPageSeconds } from './metrics.ts';

/** The page and width of a page-image request (`…/:page?w=`), or BAD_USER_INPUT. */
function pageRequest(req: Request): { page: number; width: number } {
  const page = /^[1-9]\d{0,5}$/.test(String(req.params.page)) ? Number(req.params.page) : NaN;
  const w = String(req.query.w ?? '1200');
  const width = /^\d{2,4}$/.test(w) ? Number(w) : NaN;
  if (!Number.isInteger(page) || !(width >= 100 && width <= 4000))
    throw new AppError('BAD_USER_INPUT', '页码或宽度无效。');
  return { page, width };
}

/**
 * The reading HTTP routes beside /graphql, reached through the gateway, which proxies
 * `/uploads/volumes` and `/downloads/*` here with the caller's identity in `x-internal-token`
 * (minted for `reading`) and the client's address in `x-forwarded-for`.
 */
export function mountReadingRoutes(
  app: Express,
  services: ReadingServices,
  secret: string,
  logger: Logger,
): void {
  const logError = (err: unknown) => logger.error({ err }, 'route failed');

  // POST /uploads/volumes?caseId=...&title=第1卷 诉讼文书, body = the PDF (streamed into storage).
  app.post('/uploads/volumes', async (req, res) => {
    try {
      const identity = await routeIdentity(req, secret, 'reading', [['volumes:write']]);
      const length = req.header('content-length');
      const volume = await services.volumes.upload(
        identity,
        String(req.query.caseId ?? ''),
        String(req.query.title ?? ''),
        req.header('content-type'),
        length === undefined ? undefined : Number(length),
        req,
      );
      res.status(201).json({
        id: volume._id,
        title: volume.title,
        position: volume.position,
        sizeBytes: volume.sizeBytes,
        pageCount: volume.pageCount,
      });
    } catch (err) {
      res.setHeader('connection', 'close');
      sendRouteError(res, err, logError);
    }
  });

  const download = async (req: Request, res: Response) => {
    try {
      const identity = await routeIdentity(req, secret, 'reading');
      const { grant, pkg } = await services.downloads.resolveGrant(
        identity,
        String(req.params.grant),
        req.header('x-download-key') || undefined,
      );
      const size = pkg.sizeBytes!;
      const etag = `"${pkg.sha256}"`;
      // If-Range with another validator means the client's partial copy is stale: send it all.
      const ifRange = req.header('if-range');
      const range = ifRange && ifRange !== etag ? null : parseRange(req.header('range'), size);
      res.setHeader('accept-ranges', 'bytes');
      res.setHeader('etag', etag);
      res.setHeader('cache-control', 'private, no-store');
      res.setHeader('content-type', 'application/zip');
      res.setHeader('content-disposition', contentDisposition(pkg.fileName));
      if (range === 'unsatisfiable') {
        res.setHeader('content-range', `bytes */${size}`);
        res.status(416).end();
        return;
      }
      const { start, end } = range ?? { start: 0, end: size - 1 };
      res.status(range ? 206 : 200);
      if (range) res.setHeader('content-range', `bytes ${start}-${end}/${size}`);
      res.setHeader('content-length', String(end - start + 1));
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const auditId = newId();
      await readingOwned(services.models).downloadsByPackage.added(pkg._id, auditId);
      const audit = await services.models.Download.create({
        _id: auditId,
        packageId: pkg._id,
        lawyerId: grant.lawyerId,
        sessionId: grant.sessionId,
        grantId: grant._id,
        ip: clientIp(req),
        startedAt: new Date(),
        rangeStart: start,
        rangeEnd: end,
      });
      const stream = services.blobs().open(packageBucket, pkg.blobId!, { start, end });
      const progress = sendStream(stream, res);
      stream.on('error', (err) => {
        logError(err);
        res.destroy();
      });
      const finish = async () => {
        const sent = progress.bytes;
        downloadBytesTotal.inc(sent);
        const completed = sent === end - start + 1 && end === size - 1 && res.writableFinished;
        await services.models.Download.updateOne(
          { _id: audit._id },
          { $set: { bytesSent: sent, completed, finishedAt: new Date() } },
        ).exec();
        if (completed) await services.onDownloaded(pkg);
      };
      res.on('close', () => {
        stream.destroy();
        void finish().catch(logError);
      });
    } catch (err) {
      sendRouteError(res, err, logError);
    }
  };
  app.get('/downloads/:grant', download);

  // 在线阅卷: GET /reader/:reading/:volume/:page?w=1200 → the page as a JPEG with the reader's
  // watermark; ?prefetch=1 renders it ahead and answers 204 (no image, not counted as read).
  app.get('/reader/:reading/:volume/:page', async (req, res) => {
    const started = performance.now();
    const kind =
      req.query.prefetch === '1' ? 'prefetch' : Number(req.query.w) < 300 ? 'thumbnail' : 'view';
    const done = (outcome: string) =>
      readerPageSeconds.observe({ kind, outcome }, (performance.now() - started) / 1000);
    try {
      const identity = await routeIdentity(req, secret, 'reading');
      const { page, width } = pageRequest(req);
      const prefetch = req.query.prefetch === '1';
      const jpeg = await services.reader.page(
        identity,
        req.params.reading,
        req.params.volume,
        page,
        width,
        { ip: clientIp(req), prefetch },
      );
      res.setHeader('cache-control', 'private, no-store');
      res.setHeader('x-content-type-options', 'nosniff');
      if (!jpeg) {
        res.status(204).end();
        done('ok');
        return;
      }
      res.setHeader('content-type', 'image/jpeg');
      res.setHeader('content-length', String(jpeg.length));
      res.end(jpeg);
      done('ok');
    } catch (err) {
      done(err instanceof AppError ? String(err.extensions.code) : 'INTERNAL_SERVER_ERROR');
      sendRouteError(res, err, logError);
    }
  });

  // 遮蔽's preview: GET /volume-pages/:volume/:page?w=1200 → the page as the lawyer will see it
  // (the volume's marks burned in, a sample watermark): prosecutors of its procuratorate, administrators.
  app.get('/volume-pages/:volume/:page', async (req, res) => {
    try {
      const identity = await routeIdentity(req, secret, 'reading');
      const { page, width } = pageRequest(req);
      const marks = await services.redactions.list(identity, req.params.volume);
      const volume = (await services.models.Volume.findById(req.params.volume)
        .lean<{ _id: string; blobId: string; pageCount: number }>()
        .exec())!;
      if (page > volume.pageCount) throw new AppError('NOT_FOUND', '该页不存在。');
      const onPage = marks.filter((m) => m.page === page);
      const jpeg = await services.images.page(
        { id: volume._id, blobId: volume.blobId },
        page,
        width,
        ['（预览）律师姓名 执业证号', '本案 仅供本案阅卷使用'],
        '阅读时间',
        onPage.length ? (image) => paint(image, onPage, services.fontPath) : undefined,
      );
      res.setHeader('cache-control', 'private, no-store');
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('content-type', 'image/jpeg');
      res.setHeader('content-length', String(jpeg.length));
      res.end(jpeg);
    } catch (err) {
      sendRouteError(res, err, logError);
    }
  });

  app.use('/uploads', (_req, res) => {
    sendRouteError(res, new AppError('NOT_FOUND'), logError);
  });
}
