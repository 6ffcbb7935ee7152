import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { createSubgraphService, type EventBus, type Logger } from '@yuejuan/runtime';
import { loadSubgraphSdl } from '@yuejuan/schema';
import type { ReadingConfig } from './config.ts';
import { createLoaders } from './context.ts';
import { createResolvers } from './resolvers/index.ts';
import { mountReadingRoutes } from './routes.ts';
import { createReadingServices } from './services/index.ts';
import { createPdfTools } from './services/pdf.ts';
import { assertReaderTools } from './services/page-text.ts';

/** cases' topic of binding application changes (the contract between the subgraphs). */
const bindingChangedTopic = 'cases.bindingApplication.changed';
import { createBlobStore } from '@yuejuan/runtime/storage';

export interface ReadingDeps {
  config: ReadingConfig;
  connection: Connection;
  logger: Logger;
  /** The domain event bus (publish state changes; subscriptions listen to it). */
  bus: EventBus;
}

/** The reading subgraph: no side effects until start() (which checks for qpdf and resumes unfinished package builds). */
export function createServer({ config, connection, logger, bus }: ReadingDeps) {
  const services = createReadingServices(connection, {
    bus,
    logger,
    blobs: createBlobStore(config, 'reading', connection.getClient().db(connection.name)),
    peers: {
      cases: config.CASES_INTERNAL_URL,
      identity: config.IDENTITY_INTERNAL_URL,
      notifications: config.NOTIFICATIONS_INTERNAL_URL,
      secret: config.YUEJUAN_INTERNAL_SECRET,
    },
    volumeMaxBytes: config.VOLUME_MAX_BYTES,
    packageTtlDays: config.PACKAGE_TTL_DAYS,
    maxAttempts: config.DOWNLOAD_MAX_ATTEMPTS,
    lockMinutes: config.DOWNLOAD_LOCK_MINUTES,
    grantTtlSeconds: config.DOWNLOAD_GRANT_TTL_SECONDS,
    buildStaleSeconds: config.BUILD_STALE_SECONDS,
    pdf: createPdfTools(config.QPDF_PATH, config.WATERMARK_FONT_PATH),
    reader: {
      cacheDir: config.READER_CACHE_DIR ?? join(tmpdir(), 'yuejuan-reader-cache'),
      cacheMaxBytes: config.READER_CACHE_MAX_MB * 1024 * 1024,
      ttlSeconds: config.READER_TTL_SECONDS,
      recheckSeconds: config.READER_RECHECK_SECONDS,
      qpdf: config.QPDF_PATH,
      fontPath: config.WATERMARK_FONT_PATH,
    },
  });
  const service = createSubgraphService({
    name: 'reading',
    sdl: loadSubgraphSdl('reading'),
    resolvers: createResolvers(services, bus),
    createLoaders: () => createLoaders(services.models),
    connection,
    logger,
    config,
    routes: (app) => mountReadingRoutes(app, services, config.YUEJUAN_INTERNAL_SECRET, logger),
  });
  let stopBindingConsumer: (() => Promise<void>) | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  const noticeExpiring = () =>
    services.packages
      .noticeExpiring(new Date(), config.PACKAGE_EXPIRY_NOTICE_HOURS)
      .catch((err) => logger.warn({ err }, 'looking for packages about to expire failed'));
  return {
    ...service,
    services,
    async start() {
      // Without qpdf no volume can be uploaded or packaged: refuse to start, saying why.
      const qpdf = await services.pdf.assertAvailable();
      logger.info({ qpdf }, 'qpdf found');
      // Nor without poppler and Tesseract can pages be shown online or searched.
      logger.info({ poppler: await assertReaderTools() }, 'poppler and Tesseract found');
      const url = await service.start();
      services.runner.start();
      services.images.start(600_000, (err) =>
        logger.warn({ err }, 'sweeping the page cache failed'),
      );
      void noticeExpiring();
      expiryTimer = setInterval(
        () => void noticeExpiring(),
        config.PACKAGE_EXPIRY_SCAN_SECONDS * 1000,
      );
      expiryTimer.unref();
      // A revoked case binding ends reading at once: appointments, grants and the package.
      stopBindingConsumer = bus.consume({
        name: 'reading-bindings',
        topics: [bindingChangedTopic],
        handler: async (event) => {
          const p = event.payload as {
            status?: string;
            lawyerId?: string;
            caseId?: string;
            reason?: string;
          };
          if (p.status === 'REVOKED' && p.lawyerId && p.caseId)
            await services.packages.endForRevokedBinding(p.lawyerId, p.caseId, p.reason ?? '');
        },
        onGap: (gap) => logger.error(gap, 'binding events were lost before reading read them'),
      });
      return url;
    },
    async stop() {
      clearInterval(expiryTimer);
      await stopBindingConsumer?.();
      await services.runner.stop();
      await services.reader.stop();
      services.images.stop();
      await service.stop();
    },
  };
}
