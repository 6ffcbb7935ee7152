// The backup's files and manifest without a database: a backup folder made on the spot (a BSON
// file, a blob, the manifest), then broken in the ways a disk, a copy or a person breaks it.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSON } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeUri, runBackup } from '../../src/backup/backup.ts';
import { BackupError } from '../../src/backup/errors.ts';
import {
  BsonFramingError,
  createHashedWriter,
  rawIdKey,
  readBsonFile,
} from '../../src/backup/files.ts';
import {
  manifestFile,
  signatureFile,
  writeManifest,
  type Manifest,
} from '../../src/backup/manifest.ts';
import { verifyBackup } from '../../src/backup/verify.ts';

const key = 'k'.repeat(40);
const documents = [
  { _id: 'a1', name: '张三', n: new BSON.Int32(1) },
  { _id: 'a2', name: '李四', big: BSON.Long.fromString('9007199254740993') },
  { _id: 'a3', name: '王五', price: new BSON.Double(2) },
];
const bsonFile = 'db/identity/lawyers.bson';
const blobFile = 'blobs/reading/volumes/6650a1b2c3d4e5f601234567';

let dir: string;

/** Writes the folder of a small, whole backup; answers its manifest. */
async function makeBackup(signingKey?: string): Promise<Manifest> {
  dir = await mkdtemp(join(tmpdir(), 'yuejuan-backup-unit-'));
  const write = async (file: string, chunks: Uint8Array[]) => {
    await mkdir(join(dir, file, '..'), { recursive: true });
    const w = createHashedWriter(join(dir, file));
    for (const c of chunks) await w.write(c);
    return w.close();
  };
  const bson = await write(
    bsonFile,
    documents.map((d) => BSON.serialize(d)),
  );
  const blob = await write(blobFile, [Buffer.from('%PDF-1.4 卷宗第一卷'), Buffer.alloc(5000, 7)]);
  const at = new Date().toISOString();
  const manifest: Manifest = {
    format: 'yuejuan-backup',
    version: 1,
    startedAt: at,
    finishedAt: at,
    tool: { name: '@yuejuan/ops', node: process.version },
    source: {
      mongo: 'mongodb://db.example:27017/',
      server: { version: '7.0.42' },
      blobStore: 'fs',
    },
    steps: [{ step: 'blobs-first', at }],
    bus: {
      database: 'yuejuan_events',
      headAtStart: null,
      lastCopied: null,
      publishedDuringBackup: 0,
      checkpoints: [],
    },
    databases: [
      {
        role: 'identity',
        name: 'yuejuan_identity',
        collections: [
          {
            name: 'lawyers',
            file: bsonFile,
            count: documents.length,
            bytes: bson.bytes,
            sha256: bson.sha256,
            options: {},
            indexes: [
              { key: { _id: 1 }, name: '_id_' },
              { key: { licenceNumber: 1 }, name: 'licenceNumber_1', unique: true },
            ],
            copiedAt: at,
          },
        ],
      },
    ],
    blobs: {
      items: [
        {
          service: 'reading',
          bucket: 'volumes',
          id: '6650a1b2c3d4e5f601234567',
          file: blobFile,
          size: blob.bytes,
          sha256: blob.sha256,
          pass: 1,
        },
      ],
      vanished: [],
    },
    totals: { collections: 1, documents: 3, blobs: 1, blobBytes: blob.bytes },
  };
  await writeManifest(dir, manifest, signingKey);
  return manifest;
}

/** Rewrites manifest.json through `change` (as someone editing it would). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a manifest as someone edits it: any JSON
async function editManifest(change: (m: Record<string, any>) => void) {
  const m = JSON.parse(await readFile(join(dir, manifestFile), 'utf8'));
  change(m);
  await writeFile(join(dir, manifestFile), JSON.stringify(m));
}

/** The problems of verifyBackup, or the lines of the BackupError it threw. */
async function problems(signingKey?: string): Promise<string[]> {
  try {
    return (await verifyBackup(dir, signingKey)).problems;
  } catch (err) {
    if (err instanceof BackupError && err.kind === 'invalid') return err.problems;
    throw err;
  }
}

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verifying a backup folder', () => {
  beforeEach(async () => {
    await makeBackup();
  });

  it('finds a whole backup whole', async () => {
    const verified = await verifyBackup(dir);
    expect(verified.problems).toEqual([]);
    expect(verified.signed).toBe(false);
    expect(verified.manifest.totals.documents).toBe(3);
  });

  it('refuses a truncated collection file, naming it', async () => {
    const { size } = await stat(join(dir, bsonFile));
    await truncate(join(dir, bsonFile), size - 7);

    expect(await problems()).toEqual([
      `备份文件 ${bsonFile} 的大小为 ${size - 7} 字节，清单记录为 ${size} 字节（被截断或改动）。`,
    ]);
  });

  it('refuses a collection file changed in place (same size), naming it', async () => {
    const bytes = await readFile(join(dir, bsonFile));
    const at = bytes.indexOf(Buffer.from('李四'));
    bytes.write('赵六', at); // same length in UTF-8
    await writeFile(join(dir, bsonFile), bytes);

    expect(await problems()).toEqual([`备份文件 ${bsonFile} 的 SHA-256 与清单不符（被改动）。`]);
  });

  it('refuses a tampered blob and a missing one, naming each', async () => {
    const bytes = await readFile(join(dir, blobFile));
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(join(dir, blobFile), bytes);
    expect(await problems()).toEqual([`备份文件 ${blobFile} 的 SHA-256 与清单不符（被改动）。`]);

    await rm(join(dir, blobFile));
    expect(await problems()).toEqual([`备份文件 ${blobFile} 不存在。`]);
  });

  it('refuses a manifest whose document count was edited', async () => {
    await editManifest((m) => (m.databases[0].collections[0].count = 4));
    expect(await problems()).toEqual([`备份文件 ${bsonFile} 含 3 条文档，清单记录为 4 条。`]);
  });

  it('refuses a backup without manifest (interrupted), a foreign format and a newer version', async () => {
    await rm(join(dir, manifestFile));
    expect((await problems())[0]).toMatch(/^缺少 manifest\.json：.*不是备份，或备份没有完成。$/);

    await writeFile(join(dir, manifestFile), '{"format":"yuejuan-backup","version":1,');
    expect(await problems()).toEqual(['manifest.json 不是有效的 JSON（文件被截断或改动）。']);

    await writeFile(join(dir, manifestFile), JSON.stringify({ format: 'other', version: 1 }));
    expect(await problems()).toEqual(['manifest.json 不是阅卷备份的清单。']);

    await writeFile(
      join(dir, manifestFile),
      JSON.stringify({ format: 'yuejuan-backup', version: 2 }),
    );
    expect(await problems()).toEqual(['manifest.json 的格式版本 2 不受支持（本工具支持 1）。']);
  });

  it('refuses a manifest that points outside the backup folder', async () => {
    await editManifest((m) => (m.blobs.items[0].file = '../../etc/passwd'));
    expect(await problems()).toEqual([
      'manifest.json 的 blobs.items.0.file 不正确：路径必须在备份目录之内',
    ]);
    await editManifest((m) => (m.blobs.items[0].file = '/etc/passwd'));
    expect((await problems())[0]).toContain('路径必须在备份目录之内');
  });
});

describe('a signed manifest', () => {
  it('is checked with the key: whole, edited, wrong key, signature missing', async () => {
    await makeBackup(key);
    expect((await verifyBackup(dir, key)).signed).toBe(true);
    // Without the key the files are still checked; the signature is not.
    expect((await verifyBackup(dir)).signed).toBe(false);
    expect(await problems('w'.repeat(40))).toEqual([
      `manifest.json 的签名不符（${signatureFile}）：清单被改动，或签名密钥不同。`,
    ]);

    // Someone changes a blob and its checksum in the manifest: the checksums agree, the signature does not.
    const forged = Buffer.from('%PDF-1.4 伪造的卷宗');
    await writeFile(join(dir, blobFile), forged);
    await editManifest((m) => {
      m.blobs.items[0].size = forged.length;
      m.blobs.items[0].sha256 = createHash('sha256').update(forged).digest('hex');
    });
    expect(await problems()).toEqual([]);
    expect((await problems(key))[0]).toMatch(/^manifest\.json 的签名不符/);

    await rm(join(dir, signatureFile));
    expect(await problems(key)).toEqual([
      `缺少 ${signatureFile}：设置了 BACKUP_SIGNING_KEY，但备份未签名。`,
    ]);
  });
});

describe('BSON files', () => {
  it('reads back every document as written and reports the hash', async () => {
    await makeBackup();
    let hash: string | undefined;
    const read: unknown[] = [];
    for await (const doc of readBsonFile(join(dir, bsonFile), (f) => (hash = f.sha256)))
      read.push(BSON.deserialize(doc, { promoteValues: false }));

    expect(read).toEqual(documents);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stops at an impossible length with the offset', async () => {
    await makeBackup();
    const first = BSON.serialize(documents[0]!);
    const bytes = Buffer.concat([first, Buffer.from([0xff, 0xff, 0xff, 0x7f, 0, 0, 0])]);
    await writeFile(join(dir, 'broken.bson'), bytes);

    const reading = async () => {
      for await (const _ of readBsonFile(join(dir, 'broken.bson')));
    };
    await expect(reading()).rejects.toEqual(new BsonFramingError(first.length));
  });

  it('keys a document by its _id bytes: equal ids equal, a string and an ObjectId of the same hex not', () => {
    const oid = new BSON.ObjectId();
    const key = (d: object) => rawIdKey(Buffer.from(BSON.serialize(d)));

    expect(key({ _id: oid, a: 1 })).toBe(key({ _id: oid, a: 2 }));
    expect(key({ _id: oid.toHexString() })).not.toBe(key({ _id: oid }));
    expect(key({ _id: 'x' })).not.toBe(key({ _id: 'y' }));
    expect(key({ _id: { a: 1 } })).toBe(key({ _id: { a: 1 } }));
    expect(key({ a: 1, _id: 'late' })).toBeNull();
  });
});

describe('the source in the manifest', () => {
  it('keeps the hosts and drops credentials and options', () => {
    expect(describeUri('mongodb://backup:s3cret@db1:27017,db2:27017/admin?replicaSet=rs0')).toBe(
      'mongodb://db1:27017,db2:27017/',
    );
    expect(describeUri('mongodb+srv://u:p@cluster0.example.net/?retryWrites=true')).toBe(
      'mongodb+srv://cluster0.example.net/',
    );
  });
});

describe('where a backup may go', () => {
  it('refuses a folder inside BLOB_DIR (it would copy itself) and a folder that is not empty, before connecting', async () => {
    dir = await mkdtemp(join(tmpdir(), 'yuejuan-backup-unit-'));
    const config = {
      mongoUri: 'mongodb://127.0.0.1:1/',
      databases: {
        identity: 'i',
        cases: 'c',
        reading: 'r',
        notifications: 'n',
        events: 'e',
      },
      blobStore: 'fs' as const,
      blobDir: join(dir, 'blobs'),
    };
    const attempt = (into: string) =>
      runBackup({ config, dir: into, log: () => undefined }).catch((e: unknown) => e);

    const inside = (await attempt(join(dir, 'blobs', 'reading', 'backup'))) as BackupError;
    expect([inside.kind, inside.message]).toEqual([
      'failed',
      `备份目录 ${join(dir, 'blobs', 'reading', 'backup')} 在 BLOB_DIR（${config.blobDir}）之内：请放到别处。`,
    ]);
    await writeFile(join(dir, 'old-file'), 'x');
    const notEmpty = (await attempt(dir)) as BackupError;
    expect([notEmpty.kind, notEmpty.message]).toEqual([
      'failed',
      `目录 ${dir} 不是空的：备份只写入新目录或空目录。`,
    ]);
  });
});
