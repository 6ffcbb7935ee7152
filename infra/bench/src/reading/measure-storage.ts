// Quick measurement: GridFS vs deterministic-_id chunks on the embedded FerretDB (throw-away).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GridFSBucket, MongoClient, Binary } from 'mongodb';
import { startDatabase } from '@yuejuan/database';

const MB = 1024 * 1024;
const size = Number(process.env.SIZE_MB ?? 100) * MB;
const dataDir = await mkdtemp(join(tmpdir(), 'measure-db-'));
const db = await startDatabase({ dataDir, env: {} });
const client = await MongoClient.connect(db.uri);
const d = client.db('measure');
const data = randomBytes(size);
const t = () => performance.now();
const rate = (ms: number) => `${(size / MB / (ms / 1000)).toFixed(1)} MB/s`;
try {
  for (const chunkSizeBytes of [255 * 1024, 1024 * 1024]) {
    const bucket = new GridFSBucket(d, { bucketName: `g${chunkSizeBytes}`, chunkSizeBytes });
    let s = t();
    const id = await new Promise((res, rej) => {
      const up = bucket.openUploadStream('f');
      Readable.from([data])
        .pipe(up)
        .on('finish', () => res(up.id))
        .on('error', rej);
    });
    console.log(`gridfs chunk=${chunkSizeBytes} upload ${rate(t() - s)}`);
    s = t();
    let first = 0;
    let n = 0;
    const down = bucket.openDownloadStream(id as never);
    down.on('data', (c: Buffer) => {
      if (!first) first = t() - s;
      n += c.length;
    });
    await new Promise((res, rej) => down.on('end', res).on('error', rej));
    console.log(
      `gridfs chunk=${chunkSizeBytes} download ${rate(t() - s)} first byte ${first.toFixed(0)} ms (${n})`,
    );
  }
  for (const chunk of [1 * MB, 4 * MB]) {
    const col = d.collection<{ _id: string; data: Binary }>(`chunks${chunk}`);
    let s = t();
    const count = Math.ceil(size / chunk);
    for (let i = 0; i < count; i++)
      await col.insertOne({
        _id: `file1:${String(i).padStart(8, '0')}`,
        data: new Binary(data.subarray(i * chunk, (i + 1) * chunk)),
      });
    console.log(`idchunks ${chunk} upload ${rate(t() - s)}`);
    s = t();
    let n = 0;
    for (let i = 0; i < count; i++) {
      const doc = await col.findOne({ _id: `file1:${String(i).padStart(8, '0')}` });
      n += doc!.data.length();
    }
    console.log(`idchunks ${chunk} download one-by-one ${rate(t() - s)} (${n})`);
    s = t();
    const one = await col.findOne({ _id: `file1:${String(count - 1).padStart(8, '0')}` });
    console.log(`  last chunk single fetch ${(t() - s).toFixed(1)} ms ${one ? 'ok' : ''}`);
  }
} finally {
  await client.close();
  await db.stop();
  await rm(dataDir, { recursive: true, force: true });
}
