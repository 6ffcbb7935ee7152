// The blob store as a backup sees it: a listing and a stream per blob (fs files under
// BLOB_DIR/<service>/<bucket>/<id>, or GridFS buckets in the services' databases), and a
// writer of restored blobs into either kind of store, whatever the source was.
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, ObjectId, type MongoClient } from 'mongodb';
import { createHashedWriter, type WrittenFile } from './files.ts';
import { blobPart, databaseRoles, type BlobRef, type DatabaseRole } from './manifest.ts';

/** A blob found by a listing, with what GridFS keeps beside it. */
export interface ListedBlob extends BlobRef {
  filename?: string;
  contentType?: string;
}

/** The blob was deleted after it was listed (or while it was read). */
export class BlobGoneError extends Error {
  constructor(ref: BlobRef) {
    super(`blob ${ref.service}/${ref.bucket}/${ref.id} is gone`);
    this.name = 'BlobGoneError';
  }
}

export interface BlobSource {
  list(): Promise<ListedBlob[]>;
  /** The blob's bytes; the stream fails with BlobGoneError when it no longer exists. */
  open(blob: ListedBlob): Readable;
}

const key = (b: BlobRef) => `${b.service}/${b.bucket}/${b.id}`;
export { key as blobKey };

/** Names of the entries of `dir` that are folders/files (none when `dir` does not exist). */
async function entries(dir: string, want: 'dir' | 'file'): Promise<string[]> {
  try {
    const found = await readdir(dir, { withFileTypes: true });
    return found
      .filter((e) => (want === 'dir' ? e.isDirectory() : e.isFile()))
      .map((e) => e.name)
      .filter((name) => blobPart.test(name)) // skips `.<id>.partial` files being written
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Blobs of the fs store: every `<root>/<service>/<bucket>/<id>`. */
export function fsBlobSource(root: string): BlobSource {
  return {
    async list() {
      const out: ListedBlob[] = [];
      for (const service of await entries(root, 'dir'))
        for (const bucket of await entries(join(root, service), 'dir'))
          for (const id of await entries(join(root, service, bucket), 'file'))
            out.push({ service, bucket, id });
      return out;
    },
    open(blob) {
      const stream = createReadStream(join(root, blob.service, blob.bucket, blob.id), {
        highWaterMark: 1024 * 1024,
      });
      // A file deleted after it was opened is still read whole (POSIX); one deleted before is gone.
      return stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') stream.emit('gone');
      });
    },
  };
}

const bucketSuffix = '.files';

/** Blobs of the GridFS store: every `<bucket>.files` document in the databases of `roles`. */
export function gridFsBlobSource(
  client: MongoClient,
  databases: Record<DatabaseRole, string>,
): BlobSource {
  return {
    async list() {
      const out: ListedBlob[] = [];
      for (const role of databaseRoles) {
        const db = client.db(databases[role]);
        const names = (await db.listCollections({}, { nameOnly: true }).toArray())
          .map((c) => c.name)
          .filter((n) => n.endsWith(bucketSuffix))
          .sort();
        for (const name of names) {
          const bucket = name.slice(0, -bucketSuffix.length);
          if (!blobPart.test(bucket)) continue;
          const files = await db
            .collection(name)
            .find({}, { projection: { _id: 1, filename: 1, metadata: 1 } })
            .toArray();
          for (const f of files) {
            if (!(f._id instanceof ObjectId)) continue; // not one of the store's (it uses ObjectIds)
            out.push({
              service: role,
              bucket,
              id: f._id.toHexString(),
              ...(typeof f.filename === 'string' ? { filename: f.filename } : {}),
              ...(typeof f.metadata?.contentType === 'string'
                ? { contentType: f.metadata.contentType as string }
                : {}),
            });
          }
        }
      }
      return out;
    },
    open(blob) {
      const db = client.db(databases[blob.service as DatabaseRole]);
      const stream = new GridFSBucket(db, { bucketName: blob.bucket }).openDownloadStream(
        new ObjectId(blob.id),
      );
      // Deleted before (FileNotFound) or while it was read (the driver misses a chunk).
      return stream.on('error', (err: Error) => {
        if (/FileNotFound|ChunkIsMissing|not found/i.test(err.message)) stream.emit('gone');
      });
    },
  };
}

/**
 * Copies a blob into `path` (a new file), answering its size and hash; BlobGoneError when it
 * disappeared first (the partial file is removed).
 */
export async function copyBlob(
  source: BlobSource,
  blob: ListedBlob,
  path: string,
): Promise<WrittenFile> {
  const writer = createHashedWriter(path);
  const stream = source.open(blob);
  let gone = false;
  stream.once('gone', () => (gone = true));
  try {
    for await (const chunk of stream) await writer.write(chunk as Buffer);
    return await writer.close();
  } catch (err) {
    await writer.abort();
    await rm(path, { force: true });
    if (gone) throw new BlobGoneError(blob);
    throw err;
  }
}

/** Writes restored blobs into the target store. */
export interface BlobSink {
  put(blob: ListedBlob, bytes: AsyncIterable<Buffer>): Promise<void>;
}

/** Restores into `<root>/<service>/<bucket>/<id>`, as the fs store writes: temporary name, fsync, rename. */
export function fsBlobSink(root: string): BlobSink {
  return {
    async put(blob, bytes) {
      const dir = join(root, blob.service, blob.bucket);
      await mkdir(dir, { recursive: true });
      const temp = join(dir, `.${blob.id}.partial`);
      const writer = createHashedWriter(temp);
      try {
        for await (const chunk of bytes) await writer.write(chunk);
        await writer.close();
        await rename(temp, join(dir, blob.id));
      } catch (err) {
        await writer.abort();
        await rm(temp, { force: true });
        throw err;
      }
    },
  };
}

/** Restores into GridFS buckets of the target databases, under the blob's own id. */
export function gridFsBlobSink(
  client: MongoClient,
  databases: Record<DatabaseRole, string>,
): BlobSink {
  return {
    async put(blob, bytes) {
      const db = client.db(databases[blob.service as DatabaseRole]);
      const upload = new GridFSBucket(db, {
        bucketName: blob.bucket,
        chunkSizeBytes: 1024 * 1024, // as the store writes (runtime/src/storage/gridfs-store.ts)
      }).openUploadStreamWithId(new ObjectId(blob.id), blob.filename ?? 'blob', {
        metadata: { contentType: blob.contentType },
      });
      try {
        await pipeline(Readable.from(bytes), upload);
      } catch (err) {
        await upload.abort().catch(() => undefined);
        throw err;
      }
    },
  };
}

/** Why a blob cannot go into a GridFS target (its service has no database, its id is no ObjectId), or null. */
export function gridFsProblem(blob: BlobRef): string | null {
  if (!(databaseRoles as readonly string[]).includes(blob.service))
    return `文件 ${key(blob)} 属于未知的服务 ${blob.service}，无法写入 GridFS`;
  if (!/^[0-9a-f]{24}$/.test(blob.id))
    return `文件 ${key(blob)} 的编号不是 ObjectId，无法写入 GridFS`;
  return null;
}

/** Up to `limit` blob files already under `root` (a restore target must have none). */
export async function existingFsBlobs(root: string, limit = 3): Promise<string[]> {
  const found: string[] = [];
  for (const service of await entries(root, 'dir'))
    for (const bucket of await entries(join(root, service), 'dir')) {
      for (const id of await entries(join(root, service, bucket), 'file')) {
        found.push(join(service, bucket, id));
        if (found.length >= limit) return found;
      }
    }
  return found;
}
