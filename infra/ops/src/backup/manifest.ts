// The manifest of a backup: what was copied, from where, in which order, and the size and
// SHA-256 of every file. Written last (an interrupted backup has none); read and checked
// before anything is restored.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile, rename, writeFile, open } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { z } from 'zod';
import { invalidBackup } from './errors.ts';

export const manifestFormat = 'yuejuan-backup';
export const manifestVersion = 1;
export const manifestFile = 'manifest.json';
/** HMAC-SHA256 (hex) of manifest.json's bytes, when BACKUP_SIGNING_KEY is set. */
export const signatureFile = 'manifest.json.hmac';

/** The deployment's databases, in the order a backup copies their documents (events last). */
export const databaseRoles = ['identity', 'cases', 'reading', 'notifications', 'events'] as const;
export type DatabaseRole = (typeof databaseRoles)[number];

/** The event bus's collections (runtime/src/bus): the capped log, consumer positions, the head. */
export const bus = {
  events: 'events',
  checkpoints: 'event_checkpoints',
  heads: 'event_heads',
} as const;

/** One path segment of a blob: the blob store's own rule (runtime/src/storage/fs-store.ts). */
export const blobPart = /^[A-Za-z0-9_-]{1,80}$/;

/** A relative path inside the backup folder: forward slashes, no `..`, no absolute path. */
const relativePath = z
  .string()
  .min(1)
  .refine(
    (p) =>
      !p.startsWith('/') &&
      !p.includes('\\') &&
      !p.includes('\0') &&
      posix.normalize(p) === p &&
      p.split('/').every((s) => s !== '..' && s !== '.' && s !== ''),
    { message: '路径必须在备份目录之内' },
  );
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().min(0);
const isoTime = z.string().datetime({ offset: true });
/** Index specs and collection options as relaxed Extended JSON (deserialised with EJSON). */
const ejsonObject = z.record(z.string(), z.unknown());

const collectionEntry = z.object({
  name: z.string().min(1),
  file: relativePath,
  count,
  bytes: count,
  sha256,
  /** listCollections' options: capped, size, max, validator… */
  options: ejsonObject,
  /** listIndexes' specs without `v` and `ns`, `_id_` included: key, name, unique… */
  indexes: z.array(ejsonObject),
  copiedAt: isoTime,
});
export type CollectionEntry = z.infer<typeof collectionEntry>;

const databaseEntry = z.object({
  role: z.enum(databaseRoles),
  name: z.string().min(1),
  collections: z.array(collectionEntry),
});
export type DatabaseEntry = z.infer<typeof databaseEntry>;

const blobRef = z.object({
  /** The service whose store holds it (`BLOB_DIR/<service>`, or the service's database for GridFS). */
  service: z.string().regex(blobPart),
  bucket: z.string().regex(blobPart),
  id: z.string().regex(blobPart),
});
export type BlobRef = z.infer<typeof blobRef>;

const blobEntry = blobRef.extend({
  file: relativePath,
  size: count,
  sha256,
  /** GridFS only: what the files document said. */
  filename: z.string().optional(),
  contentType: z.string().optional(),
  /** 1 = listed before the documents were copied, 2 = after. */
  pass: z.union([z.literal(1), z.literal(2)]),
});
export type BlobEntry = z.infer<typeof blobEntry>;

const eventPosition = z.object({ id: z.string(), at: isoTime.nullable() }).nullable();

export const manifestSchema = z.object({
  format: z.literal(manifestFormat),
  version: z.literal(manifestVersion),
  startedAt: isoTime,
  finishedAt: isoTime,
  tool: z.object({ name: z.string(), node: z.string() }),
  source: z.object({
    /** Hosts only: never credentials or options. */
    mongo: z.string(),
    server: z.object({ version: z.string(), ferretdb: z.string().optional() }),
    blobStore: z.enum(['fs', 'gridfs']),
  }),
  /** The order of the copy, with the time each step ended: the backup's window. */
  steps: z.array(z.object({ step: z.string(), at: isoTime })),
  bus: z.object({
    database: z.string(),
    /** The newest event when the backup began (the bus head), and the newest one copied. */
    headAtStart: eventPosition,
    lastCopied: eventPosition,
    /** Events published while the backup ran (after the head at start); null when that head was overwritten. */
    publishedDuringBackup: count.nullable(),
    /** Each durable consumer's saved position, and whether that event is in the copied log. */
    checkpoints: z.array(
      z.object({
        consumer: z.string(),
        lastId: z.string(),
        lastAt: isoTime.nullable(),
        inCopy: z.boolean(),
      }),
    ),
  }),
  databases: z.array(databaseEntry),
  blobs: z.object({
    items: z.array(blobEntry),
    /** Listed but deleted before they could be copied. */
    vanished: z.array(blobRef.extend({ pass: z.union([z.literal(1), z.literal(2)]) })),
  }),
  totals: z.object({ collections: count, documents: count, blobs: count, blobBytes: count }),
});
export type Manifest = z.infer<typeof manifestSchema>;

/** HMAC-SHA256 of the manifest's bytes under `key`, hex. */
export const signManifest = (bytes: Buffer, key: string): string =>
  createHmac('sha256', key).update(bytes).digest('hex');

/**
 * Writes manifest.json (and its signature) through a temporary name and fsync: the manifest is
 * the backup's last file, so a backup without one was interrupted.
 */
export async function writeManifest(dir: string, manifest: Manifest, key?: string): Promise<void> {
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  if (key) await writeDurably(join(dir, signatureFile), Buffer.from(signManifest(bytes, key)));
  await writeDurably(join(dir, manifestFile), bytes);
}

async function writeDurably(path: string, bytes: Buffer): Promise<void> {
  const temp = `${path}.partial`;
  await writeFile(temp, bytes, { flag: 'w' });
  const handle = await open(temp, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Reads and checks manifest.json of `dir`: present, JSON, this format and version, every path
 * inside the folder, and signed with `key` when one is given. Throws BackupError('invalid').
 */
export async function readManifest(
  dir: string,
  key?: string,
): Promise<{ manifest: Manifest; signed: boolean }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, manifestFile));
  } catch (err) {
    if (missing(err))
      throw invalidBackup([`缺少 ${manifestFile}：${dir} 不是备份，或备份没有完成。`]);
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidBackup([`${manifestFile} 不是有效的 JSON（文件被截断或改动）。`]);
  }
  const format = (json as { format?: unknown; version?: unknown } | null) ?? {};
  if (format.format !== manifestFormat)
    throw invalidBackup([`${manifestFile} 不是阅卷备份的清单。`]);
  if (format.version !== manifestVersion)
    throw invalidBackup([
      `${manifestFile} 的格式版本 ${String(format.version)} 不受支持（本工具支持 ${manifestVersion}）。`,
    ]);
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success)
    throw invalidBackup(
      parsed.error.issues
        .slice(0, 10)
        .map((i) => `${manifestFile} 的 ${i.path.join('.') || '内容'} 不正确：${i.message}`),
    );
  let signed = false;
  if (key) {
    let signature: string;
    try {
      signature = (await readFile(join(dir, signatureFile), 'utf8')).trim();
    } catch (err) {
      if (missing(err))
        throw invalidBackup([`缺少 ${signatureFile}：设置了 BACKUP_SIGNING_KEY，但备份未签名。`]);
      throw err;
    }
    const expected = Buffer.from(signManifest(bytes, key));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw invalidBackup([
        `${manifestFile} 的签名不符（${signatureFile}）：清单被改动，或签名密钥不同。`,
      ]);
    signed = true;
  }
  return { manifest: parsed.data, signed };
}
