// Files of a backup: written with their SHA-256 computed on the way and fsynced; BSON files
// read back document by document with their framing checked.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';

export interface WrittenFile {
  bytes: number;
  sha256: string;
}

/** A file being written: `write` waits when the disk is behind; `close` fsyncs and answers size and hash. */
export interface HashedWriter {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<WrittenFile>;
  /** Closes without fsync after a failure (the caller removes the file). */
  abort(): Promise<void>;
}

/** Creates `path` (it must not exist) for writing. */
export function createHashedWriter(path: string): HashedWriter {
  const hash = createHash('sha256');
  let bytes = 0;
  const out: WriteStream = createWriteStream(path, { flags: 'wx' });
  let failed: Error | null = null;
  out.on('error', (err) => (failed = err));
  const closed = () =>
    new Promise<void>((resolve, reject) =>
      out.close((err) => (err && !failed ? reject(err) : resolve())),
    );
  return {
    async write(chunk) {
      if (failed) throw failed;
      hash.update(chunk);
      bytes += chunk.length;
      if (!out.write(chunk))
        await new Promise<void>((resolve, reject) => {
          const settle = (err?: Error) => {
            out.off('drain', settle);
            out.off('error', settle);
            if (err) reject(err);
            else resolve();
          };
          out.on('drain', settle);
          out.on('error', settle);
        });
      if (failed) throw failed;
    },
    async close() {
      if (failed) throw failed;
      await new Promise<void>((resolve, reject) =>
        out.end((err?: Error | null) => (err ? reject(err) : resolve())),
      );
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { bytes, sha256: hash.digest('hex') };
    },
    async abort() {
      await closed().catch(() => undefined);
    },
  };
}

/** Size and SHA-256 of a file, read as a stream. */
export async function hashFile(path: string): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** A BSON file's framing is broken: it ends inside a document, or a length is impossible. */
export class BsonFramingError extends Error {
  constructor(readonly offset: number) {
    super(`BSON framing broken at byte ${offset}`);
    this.name = 'BsonFramingError';
  }
}

/** Smallest BSON document: int32 length and the trailing 0. Largest: MongoDB's 16 MiB plus slack. */
const minDocument = 5;
const maxDocument = 48 * 1024 * 1024;

/**
 * The documents of a BSON file (mongodump's .bson shape: documents one after the other), each
 * as its own bytes, and the file's SHA-256 once done. Throws BsonFramingError when the file
 * ends inside a document or a length is impossible (a truncated or altered file).
 */
export async function* readBsonFile(
  path: string,
  done?: (file: WrittenFile) => void,
): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let parts: Buffer[] = [];
  let have = 0; // bytes in parts
  let need = 4; // bytes wanted before parsing again: a length, or the whole next document
  let offset = 0; // file offset of parts[0]
  for await (const raw of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    const chunk = raw as Buffer;
    hash.update(chunk);
    parts.push(chunk);
    have += chunk.length;
    if (have < need) continue; // a large document arrives in many chunks: join them once
    const pending = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    let at = 0;
    need = 4;
    while (pending.length - at >= 4) {
      const length = pending.readInt32LE(at);
      if (length < minDocument || length > maxDocument) throw new BsonFramingError(offset + at);
      if (pending.length - at < length) {
        need = length;
        break;
      }
      if (pending[at + length - 1] !== 0) throw new BsonFramingError(offset + at);
      yield pending.subarray(at, at + length);
      at += length;
    }
    offset += at;
    parts = at < pending.length ? [pending.subarray(at)] : [];
    have = pending.length - at;
  }
  if (have) throw new BsonFramingError(offset);
  done?.({ bytes: offset, sha256: hash.digest('hex') });
}

/** Byte length of a BSON element value of `type` at `at`, for the types an `_id` takes; null otherwise. */
function valueLength(doc: Buffer, type: number, at: number): number | null {
  switch (type) {
    case 0x01: // double
    case 0x09: // date
    case 0x11: // timestamp
    case 0x12: // int64
      return 8;
    case 0x02: // string: int32 length (with its 0) + bytes
      return 4 + doc.readInt32LE(at);
    case 0x03: // document
    case 0x04: // array
      return doc.readInt32LE(at);
    case 0x05: // binary: int32 length + subtype + bytes
      return 5 + doc.readInt32LE(at);
    case 0x07: // ObjectId
      return 12;
    case 0x08: // boolean
      return 1;
    case 0x10: // int32
      return 4;
    case 0x13: // decimal128
      return 16;
    default:
      return null;
  }
}

/**
 * A string that equals for equal `_id`s (type byte and value bytes), read without decoding the
 * document: MongoDB and FerretDB store `_id` first. Null when it is not the first field.
 */
export function rawIdKey(doc: Buffer): string | null {
  const type = doc[4]!;
  const nameEnd = doc.indexOf(0, 5);
  if (nameEnd !== 8 || doc.toString('latin1', 5, 8) !== '_id') return null;
  const length = valueLength(doc, type, nameEnd + 1);
  if (length === null) return null;
  return `${type}:${doc.toString('base64', nameEnd + 1, nameEnd + 1 + length)}`;
}
