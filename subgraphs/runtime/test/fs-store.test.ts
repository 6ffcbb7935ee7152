import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobNotFoundError, createFsBlobStore } from '../src/storage/index.ts';
import { BlobFileStream, fsReadChunkBytes } from '../src/storage/fs-read-stream.ts';

/** Every chunk of a stream, in order. */
const chunksOf = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks;
};

describe('the filesystem blob store', () => {
  const root = mkdtempSync(join(tmpdir(), 'yuejuan-fs-store-'));
  const store = createFsBlobStore(root);
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const oneMegabyteAndABit = randomBytes(1024 * 1024 + 123);

  it('stores a stream and reads it back whole, in chunks of the store chunk size', async () => {
    const stored = await store.put(
      'volumes',
      Readable.from([oneMegabyteAndABit.subarray(0, 1000), oneMegabyteAndABit.subarray(1000)]),
    );

    const chunks = await chunksOf(store.open('volumes', stored.id));

    expect(Buffer.concat(chunks).equals(oneMegabyteAndABit)).toBe(true);
    expect(stored.sizeBytes).toBe(oneMegabyteAndABit.length);
    expect(chunks[0]!.length).toBe(fsReadChunkBytes);
    expect(chunks).toHaveLength(Math.ceil(oneMegabyteAndABit.length / fsReadChunkBytes));
    expect(readdirSync(join(root, 'volumes'))).toEqual([stored.id]); // no partial file left beside it
  });

  it('reads an inclusive byte range', async () => {
    const stored = await store.put('volumes', Readable.from([oneMegabyteAndABit]));

    const range = Buffer.concat(
      await chunksOf(store.open('volumes', stored.id, { start: 300_000, end: 700_000 })),
    );

    expect(range.equals(oneMegabyteAndABit.subarray(300_000, 700_001))).toBe(true);
  });

  it('fails a read of a missing blob with BlobNotFoundError', async () => {
    const read = chunksOf(store.open('volumes', 'no-such-blob'));

    await expect(read).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(read).rejects.toMatchObject({ bucket: 'volumes', id: 'no-such-blob' });
  });

  it('reuses a chunk the consumer hands back for a later read, the bytes still right', async () => {
    const stored = await store.put('packages', Readable.from([oneMegabyteAndABit]));
    const stream = store.open('packages', stored.id) as BlobFileStream;
    const copies: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();

    for await (const chunk of stream) {
      copies.push(Buffer.from(chunk as Buffer)); // what a socket would have sent
      buffers.add((chunk as Buffer).buffer);
      stream.recycle(chunk as Buffer); // done with it, as after res.write's callback
    }

    expect(Buffer.concat(copies).equals(oneMegabyteAndABit)).toBe(true);
    expect(copies.length).toBeGreaterThan(3);
    expect(buffers.size).toBeLessThan(copies.length);
  });

  it('answers the size of a blob, and null once deleted', async () => {
    const stored = await store.put('packages', Readable.from([Buffer.from('zip bytes')]));
    expect(await store.size('packages', stored.id)).toBe(9);

    await store.delete('packages', stored.id);

    expect(await store.size('packages', stored.id)).toBeNull();
  });
});
