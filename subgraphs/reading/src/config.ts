import { z } from 'zod';
import { baseConfigShape, loadConfig, portSetting } from '@yuejuan/runtime';
import { blobConfigShape } from '@yuejuan/runtime/storage';

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/** The reading subgraph's settings; the only reader of process.env here. */
export const readingConfigShape = {
  ...baseConfigShape,
  ...blobConfigShape,
  PORT: portSetting(4003),
  READING_DB: z.string().min(1).default('yuejuan_reading'),
  /** Base URLs of the internal routes of the other subgraphs. */
  CASES_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4002'),
  IDENTITY_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4001'),
  NOTIFICATIONS_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4004'),
  /** Largest volume (卷) a prosecutor may upload, bytes (default 2 GiB). */
  VOLUME_MAX_BYTES: int(1024, 2 * 1024 * 1024 * 1024),
  /** Days a ready package can be downloaded. */
  PACKAGE_TTL_DAYS: int(1, 30),
  /** The lawyer is told this many hours before a ready package expires (SMS + in-app), once per package. */
  PACKAGE_EXPIRY_NOTICE_HOURS: int(1, 24),
  /** How often packages about to expire are looked for. */
  PACKAGE_EXPIRY_SCAN_SECONDS: int(1, 600),
  /** Wrong download passwords before the package locks, and for how long. */
  DOWNLOAD_MAX_ATTEMPTS: int(1, 5),
  DOWNLOAD_LOCK_MINUTES: int(1, 15),
  /** Life of a download URL (resumable until then). */
  DOWNLOAD_GRANT_TTL_SECONDS: int(30, 900),
  /** 在线阅卷: how long an opened reading serves pages (then the lawyer scans again). */
  READER_TTL_SECONDS: int(60, 2 * 3600),
  /** 在线阅卷: a reading's binding is asked of the cases subgraph again after this many seconds. */
  READER_RECHECK_SECONDS: int(0, 15),
  /** Where rendered page images (without watermark) and the volumes they come from are cached (default: a folder under the system's temp). */
  READER_CACHE_DIR: z.string().min(1).optional(),
  /** 在线阅卷: the page cache's size limit in MB; past it, the pages used least recently are removed. */
  READER_CACHE_MAX_MB: int(16, 2048),
  /** A build job whose process stopped sending heartbeats this long ago is taken over. */
  BUILD_STALE_SECONDS: int(5, 60),
  /** TrueType font with CJK glyphs for the watermark (default: Noto Sans SC from the npm package). */
  WATERMARK_FONT_PATH: z.string().min(1).optional(),
  /** The qpdf executable that stamps and encrypts volumes (Debian's qpdf ≥ 11; checked at start-up). */
  QPDF_PATH: z.string().min(1).default('qpdf'),
};
export type ReadingConfig = ReturnType<typeof loadReadingConfig>;

/** Reads and validates the reading settings; throws ConfigError naming each bad variable. */
export const loadReadingConfig = (env: NodeJS.ProcessEnv = process.env) =>
  loadConfig(readingConfigShape, env);
