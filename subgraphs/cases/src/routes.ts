import express, { type Express } from 'express';
import { AppError, type Logger } from '@yuejuan/runtime';
import type { CasesServices } from './services/index.ts';
import { attachmentBucket } from './services/attachment.service.ts';
import { contentDisposition, routeIdentity, sendRouteError } from '@yuejuan/runtime/storage';

/**
 * The cases HTTP routes beside /graphql. Uploads and downloads come through the gateway (which
 * proxies `/uploads/attachments` and `/downloads/attachments/*` here with the caller's identity
 * in `x-internal-token`, minted for `cases`); `/internal/*` is for other subgraphs only.
 */
export function mountCasesRoutes(
  app: Express,
  services: CasesServices,
  secret: string,
  logger: Logger,
): void {
  const logError = (err: unknown) => logger.error({ err }, 'route failed');

  // POST /uploads/attachments?kind=LICENCE&fileName=执业证.pdf, body = the file, Content-Type = its type.
  app.post('/uploads/attachments', async (req, res) => {
    try {
      const identity = await routeIdentity(req, secret, 'cases');
      const length = req.header('content-length');
      const doc = await services.attachments.upload(
        identity,
        {
          kind: String(req.query.kind ?? ''),
          fileName: String(req.query.fileName ?? req.header('x-file-name') ?? ''),
          contentType: req.header('content-type'),
          contentLength: length === undefined ? undefined : Number(length),
        },
        req,
      );
      res.status(201).json({
        id: doc._id,
        kind: doc.kind,
        fileName: doc.fileName,
        contentType: doc.contentType,
        sizeBytes: doc.sizeBytes,
      });
    } catch (err) {
      // The rest of a refused body is not read; close the connection instead of draining it.
      res.setHeader('connection', 'close');
      sendRouteError(res, err, logError);
    }
  });

  // GET /downloads/attachments/:id: the uploading lawyer, or the reviewing procuratorate's staff.
  app.get('/downloads/attachments/:id', async (req, res) => {
    try {
      const identity = await routeIdentity(req, secret, 'cases');
      const doc = await services.attachments.get(req.params.id);
      if (!doc) throw new AppError('NOT_FOUND', '附件不存在。');
      const own = identity.role === 'LAWYER' && identity.lawyerId === doc.lawyerId;
      const reviewer =
        identity.role === 'ADMINISTRATOR' ||
        (identity.role === 'PROSECUTOR' &&
          (await services.bindings.reviewedAttachment(doc, identity.procuratorateId)));
      if (!own && !reviewer)
        throw new AppError(identity.role === 'ANONYMOUS' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
      res.setHeader('content-type', doc.contentType);
      res.setHeader('content-length', String(doc.sizeBytes));
      res.setHeader('content-disposition', contentDisposition(doc.fileName));
      res.setHeader('x-content-type-options', 'nosniff');
      const stream = services.blobs().open(attachmentBucket, doc.blobId);
      stream.on('error', (err) => sendRouteError(res, err, logError));
      stream.pipe(res);
    } catch (err) {
      sendRouteError(res, err, logError);
    }
  });

  // POST /internal/bindings/check {lawyerId, caseId}: what reading needs to accept an application.
  app.post('/internal/bindings/check', express.json({ limit: '2kb' }), async (req, res) => {
    try {
      const identity = await routeIdentity(req, secret, 'cases');
      if (identity.role !== 'SERVICE') {
        res.status(403).json({ code: 'FORBIDDEN' });
        return;
      }
      const { lawyerId, caseId } = (req.body ?? {}) as { lawyerId?: unknown; caseId?: unknown };
      if (typeof caseId !== 'string' || (lawyerId !== undefined && typeof lawyerId !== 'string'))
        throw new AppError('BAD_USER_INPUT', 'lawyerId/caseId 无效。');
      res.json(
        await services.bindings.check(typeof lawyerId === 'string' ? lawyerId : null, caseId),
      );
    } catch (err) {
      if (err instanceof AppError && err.extensions.code === 'UNAUTHENTICATED') {
        res.status(401).json({ code: 'UNAUTHENTICATED' });
        return;
      }
      sendRouteError(res, err, logError);
    }
  });
}
