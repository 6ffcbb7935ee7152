import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { newId } from '../ids.ts';
import { HashingCounter } from './counting.ts';
import { BlobFileStream } from './fs-read-stream.ts';
import { type BlobStore, type ByteRange, type PutOptions, type StoredBlob } from './types.ts';

const safe = /^[A-Za-z0-9_-]{1,80}$/;
const checked = (part: string, what: string) => {
  if (!safe.test(part)) throw new Error(`invalid blob ${what}: ${JSON.stringify(part)}`);
  return part;
};

/**
 * Blobs as files under `root/<bucket>/<id>`. A write goes to a temporary name, is fsynced and
 * then renamed, so a blob id never names a partial file, even across a crash. Reads are file
 * streams (BlobFileStream: large chunks, buffers reusable by the consumer), and Range is a
 * file offset.
 */
export function createFsBlobStore(root: string): BlobStore {
  const dir = (bucket: string) => join(root, checked(bucket, 'bucket'));
  const path = (bucket: string, id: string) => join(dir(bucket), checked(id, 'id'));

  return {
    kind: 'fs',
    async put(
      bucket: string,
      source: AsyncIterable<Uint8Array> | Readable,
      options: PutOptions = {},
    ): Promise<StoredBlob> {
      await mkdir(dir(bucket), { recursive: true });
      const id = newId();
      const temp = join(dir(bucket), `.${id}.partial`);
      const counter = new HashingCounter(options.maxBytes);
      try {
        await pipeline(
          Readable.from(source as AsyncIterable<Uint8Array>),
          counter,
          createWriteStream(temp, { flags: 'wx' }),
        );
        const handle = await open(temp, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, path(bucket, id));
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
      return { id, sizeBytes: counter.bytes, sha256: counter.digest() };
    },

    open(bucket: string, id: string, range?: ByteRange): Readable {
      return new BlobFileStream(
        path(bucket, id),
        range ? { start: range.start, end: range.end } : {},
        { bucket, id },
      );
    },

    async size(bucket: string, id: string): Promise<number | null> {
      try {
        return (await stat(path(bucket, id))).size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },

    async delete(bucket: string, id: string): Promise<void> {
      await rm(path(bucket, id), { force: true });
    },
  };
}
