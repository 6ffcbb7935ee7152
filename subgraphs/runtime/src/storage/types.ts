import type { Readable } from 'node:stream';

/** What a finished blob is: its id in the store, its size and its SHA-256 (hex). */
export interface StoredBlob {
  id: string;
  sizeBytes: number;
  sha256: string;
}

export interface PutOptions {
  /** Refuse (and store nothing) past this many bytes: the stream fails with BlobTooLargeError. */
  maxBytes?: number;
  /** Kept with the blob for operators (GridFS metadata); never trusted for serving. */
  contentType?: string;
}

/** An inclusive byte range, as HTTP Range uses it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The one storage interface of attachments, volumes and packages. A blob is written once,
 * streamed (never buffered whole), and appears under its id only when complete: a failed or
 * refused write leaves nothing behind. Reads stream, optionally a byte range.
 */
export interface BlobStore {
  /** Which implementation (for logs and reports). */
  readonly kind: 'fs' | 'gridfs';
  /** Streams `source` into a new blob of `bucket`; resolves once it is complete and durable. */
  put(
    bucket: string,
    source: AsyncIterable<Uint8Array> | Readable,
    options?: PutOptions,
  ): Promise<StoredBlob>;
  /** A stream of the blob's bytes (or of `range`); fails with BlobNotFoundError when missing. */
  open(bucket: string, id: string, range?: ByteRange): Readable;
  /** The blob's size, or null when it does not exist. */
  size(bucket: string, id: string): Promise<number | null>;
  /** Removes a blob; removing a missing one is not an error. */
  delete(bucket: string, id: string): Promise<void>;
}

/** The source was longer than `maxBytes`: nothing was stored. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`blob larger than ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

/** No blob under that id. */
export class BlobNotFoundError extends Error {
  constructor(
    readonly bucket: string,
    readonly id: string,
  ) {
    super(`blob ${bucket}/${id} not found`);
    this.name = 'BlobNotFoundError';
  }
}
