import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, ObjectId, type Db } from 'mongodb';
import { HashingCounter } from './counting.ts';
import {
  BlobNotFoundError,
  type BlobStore,
  type ByteRange,
  type PutOptions,
  type StoredBlob,
} from './types.ts';

const chunkSizeBytes = 1024 * 1024;

/**
 * Blobs in GridFS (one bucket per kind of blob), for production MongoDB, where a chunk read
 * is an index lookup on (files_id, n). The files document is written by the driver only after
 * the last chunk, so an interrupted write is never visible as a blob; its orphan chunks are
 * removed on failure.
 */
export function createGridFsBlobStore(db: Db): BlobStore {
  const buckets = new Map<string, GridFSBucket>();
  const bucketOf = (name: string) => {
    let b = buckets.get(name);
    if (!b) buckets.set(name, (b = new GridFSBucket(db, { bucketName: name, chunkSizeBytes })));
    return b;
  };
  const objectId = (bucket: string, id: string) => {
    if (!ObjectId.isValid(id)) throw new BlobNotFoundError(bucket, id);
    return new ObjectId(id);
  };

  return {
    kind: 'gridfs',
    async put(
      bucket: string,
      source: AsyncIterable<Uint8Array> | Readable,
      options: PutOptions = {},
    ): Promise<StoredBlob> {
      const counter = new HashingCounter(options.maxBytes);
      const upload = bucketOf(bucket).openUploadStream('blob', {
        metadata: { contentType: options.contentType },
      });
      try {
        await pipeline(Readable.from(source as AsyncIterable<Uint8Array>), counter, upload);
      } catch (err) {
        await upload.abort().catch(() => undefined);
        await db
          .collection(`${bucket}.chunks`)
          .deleteMany({ files_id: upload.id })
          .catch(() => undefined);
        throw err;
      }
      return { id: upload.id.toHexString(), sizeBytes: counter.bytes, sha256: counter.digest() };
    },

    open(bucket: string, id: string, range?: ByteRange): Readable {
      let oid: ObjectId;
      try {
        oid = objectId(bucket, id);
      } catch (err) {
        return new Readable({
          read() {
            this.destroy(err as Error);
          },
        });
      }
      const stream = bucketOf(bucket).openDownloadStream(
        oid,
        range ? { start: range.start, end: range.end + 1 } : {},
      );
      const out = new Readable({
        read() {
          stream.resume();
        },
      });
      stream.on('data', (chunk: Buffer) => {
        if (!out.push(chunk)) stream.pause();
      });
      stream.on('end', () => out.push(null));
      stream.on('error', (err: Error & { code?: string }) =>
        out.destroy(
          err.code === 'ENOENT' || /FileNotFound/.test(err.message)
            ? new BlobNotFoundError(bucket, id)
            : err,
        ),
      );
      out.on('close', () => void stream.abort().catch(() => undefined));
      return out;
    },

    async size(bucket: string, id: string): Promise<number | null> {
      if (!ObjectId.isValid(id)) return null;
      const file = await db
        .collection(`${bucket}.files`)
        .findOne({ _id: new ObjectId(id) }, { projection: { length: 1 } });
      return file ? Number(file.length) : null;
    },

    async delete(bucket: string, id: string): Promise<void> {
      if (!ObjectId.isValid(id)) return;
      await bucketOf(bucket)
        .delete(new ObjectId(id))
        .catch((err: Error) => {
          if (!/FileNotFound|not found/i.test(err.message)) throw err;
        });
    },
  };
}
