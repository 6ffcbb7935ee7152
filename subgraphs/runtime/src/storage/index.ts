import { resolve } from 'node:path';
import type { Db } from 'mongodb';
import { z } from 'zod';
import { createFsBlobStore } from './fs-store.ts';
import { createGridFsBlobStore } from './gridfs-store.ts';
import type { BlobStore } from './types.ts';

export * from './types.ts';
export * from './sniff.ts';
export { HashingCounter } from './counting.ts';
export { peekHead } from './peek.ts';
export * from './http.ts';
export { createFsBlobStore } from './fs-store.ts';
export { createGridFsBlobStore } from './gridfs-store.ts';

/**
 * Storage settings a subgraph with blobs adds to its config. `fs` is the default: on the
 * embedded FerretDB (SQLite) every GridFS read scans and sorts all chunks of all files
 * (measured: 12-28 MB/s and seconds before the first byte for a 100 MB file; a Range request
 * re-scans), while files stream at disk speed. Use `gridfs` on real MongoDB when several
 * instances must share blobs without a shared volume.
 */
export const blobConfigShape = {
  BLOB_STORE: z.enum(['fs', 'gridfs']).default('fs'),
  /** Root folder of the fs store; each service keeps its blobs in its own sub-folder. */
  BLOB_DIR: z.string().min(1).default('.data/blobs'),
};

/** Opens the configured store for `service` (fs: `<BLOB_DIR>/<service>`; gridfs: the service's own database). */
export function createBlobStore(
  config: { BLOB_STORE: 'fs' | 'gridfs'; BLOB_DIR: string },
  service: string,
  db: Db,
): BlobStore {
  return config.BLOB_STORE === 'gridfs'
    ? createGridFsBlobStore(db)
    : createFsBlobStore(resolve(config.BLOB_DIR, service));
}
