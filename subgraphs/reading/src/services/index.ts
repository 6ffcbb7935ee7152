import type { Document } from 'mongodb';
import type { Connection } from 'mongoose';
import type { EventBus, Logger, StepUpClaim } from '@yuejuan/runtime';
import { readingModels, type PackageDoc } from '../models/index.ts';
import type { BlobStore } from '@yuejuan/runtime/storage';
import { createApplicationService } from './application.service.ts';
import { createDownloadService } from './download.service.ts';
import { readingEvents } from './events.ts';
import { createBuildRunner } from './jobs.ts';
import { createPackageService } from './package.service.ts';
import { createBookingService } from './booking.service.ts';
import type { PdfTools } from './pdf.ts';
import { createPeers, type PeerUrls } from './peers.ts';
import { createVolumeService } from './volume.service.ts';
import { createPageImages, defaultFont } from './page-images.ts';
import { createRedactionService } from './redaction.service.ts';
import { createReaderService } from './reader.service.ts';

export interface ReadingServiceOptions {
  bus: EventBus;
  blobs: BlobStore;
  logger: Logger;
  peers: PeerUrls;
  volumeMaxBytes: number;
  packageTtlDays: number;
  maxAttempts: number;
  lockMinutes: number;
  grantTtlSeconds: number;
  buildStaleSeconds: number;
  /** qpdf and the watermark font (see pdf.ts). */
  pdf: PdfTools;
  buildPollMs?: number;
  /** 在线阅卷: page cache folder, reading life, binding recheck, the qpdf executable. */
  reader: {
    cacheDir: string;
    cacheMaxBytes?: number;
    ttlSeconds: number;
    recheckSeconds: number;
    qpdf: string;
    fontPath?: string;
  };
}

/** The reading subgraph's services over its own connection. */
export function createReadingServices(connection: Connection, o: ReadingServiceOptions) {
  const models = readingModels(connection);
  // Typed by where each collection goes (the claim, outbox and seat stores say what they hold).
  const col = <T extends Document>(name: string) => connection.db!.collection<T>(name);
  const stepUps = () => col<StepUpClaim>('step_up_claims');
  const blobs = () => o.blobs;
  const events = readingEvents(() => o.bus);
  const peers = createPeers(o.peers, o.logger);
  const applications = createApplicationService(models, peers, events, () => ({
    active: col('active_reading_applications'),
    changes: col('reading_changes'),
    stepUps: stepUps(),
  }));

  /** The package is ready: the appointment and the application follow. */
  async function onReady(pkg: PackageDoc) {
    await models.Appointment.updateOne(
      { _id: pkg.appointmentId, status: { $ne: 'CLOSED' } },
      { $set: { status: 'FILE_READY' } },
    ).exec();
    const appointment = await models.Appointment.findById(pkg.appointmentId)
      .select('sourceId')
      .lean<{ sourceId: string }>()
      .exec();
    if (appointment) await applications.advance(appointment.sourceId, 'FILE_READY');
  }
  /** A whole download completed: the application becomes DOWNLOADED (once). */
  async function onDownloaded(pkg: PackageDoc) {
    const appointment = await models.Appointment.findById(pkg.appointmentId)
      .select('sourceId')
      .lean<{ sourceId: string }>()
      .exec();
    if (appointment) await applications.advance(appointment.sourceId, 'DOWNLOADED');
  }

  const images = createPageImages({
    cacheDir: o.reader.cacheDir,
    blobs,
    fontPath: o.reader.fontPath,
    maxBytes: o.reader.cacheMaxBytes,
  });
  const runner = createBuildRunner(
    models,
    blobs,
    peers,
    events,
    () => col('build_claims'),
    o.logger,
    {
      staleSeconds: o.buildStaleSeconds,
      fontPath: o.reader.fontPath ?? defaultFont(),
      ttlDays: o.packageTtlDays,
      pdf: o.pdf,
      pollMs: o.buildPollMs,
      onReady,
      // The build reads each volume's text for search while it has the volume on disk.
      indexVolume: (volume, file, onPage, marks) => reader.indexVolume(volume, file, onPage, marks),
    },
  );
  const packages = createPackageService(
    models,
    blobs,
    events,
    () => ({
      publishes: col('package_publishes'),
      changes: col('package_changes'),
      stepUps: stepUps(),
    }),
    runner.kick,
    peers,
  );
  const reader = createReaderService(
    models,
    packages,
    peers,
    images,
    () => ({ stepUps: stepUps() }),
    {
      grantTtlSeconds: o.reader.ttlSeconds,
      recheckSeconds: o.reader.recheckSeconds,
      qpdf: o.reader.qpdf,
    },
    o.logger,
  );
  return {
    models,
    reader,
    images,
    redactions: createRedactionService(models),
    fontPath: o.reader.fontPath ?? defaultFont(),
    blobs,
    peers,
    applications,
    volumes: createVolumeService(models, peers, blobs, o.pdf, o.volumeMaxBytes),
    packages,
    bookings: createBookingService(models, peers, events, () => ({
      seats: col('slot_seats'),
      claims: col('booking_claims'),
      stepUps: stepUps(),
    })),
    downloads: createDownloadService(
      models,
      packages,
      peers,
      () => ({ attempts: col('password_attempts'), stepUps: stepUps() }),
      {
        maxAttempts: o.maxAttempts,
        lockMinutes: o.lockMinutes,
        grantTtlSeconds: o.grantTtlSeconds,
      },
    ),
    runner,
    pdf: o.pdf,
    onDownloaded,
  };
}
export type ReadingServices = ReturnType<typeof createReadingServices>;
