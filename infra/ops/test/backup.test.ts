// Backup and restore against the real database server, in-process: every BSON type, a capped
// collection with its size and order, a unique index, fs and GridFS blobs; the deployment
// changed between the backup's steps to prove the order's guarantees; refusals that write nothing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BSON, MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsBlobStore, createGridFsBlobStore } from '@yuejuan/runtime/storage';
import { testMongoUri, uniqueDatabaseName } from '@yuejuan/runtime/testing';
import { runBackup } from '../src/backup/backup.ts';
import type { BackupConfig } from '../src/backup/config.ts';
import { BackupError } from '../src/backup/errors.ts';
import { databaseRoles, type DatabaseRole } from '../src/backup/manifest.ts';
import { runRestore } from '../src/backup/restore.ts';
import { verifyBackup } from '../src/backup/verify.ts';

let client: MongoClient;
const scratch: string[] = [];
const databases: string[] = [];

async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `yuejuan-backup-${label}-`));
  scratch.push(dir);
  return dir;
}

/** A deployment's settings on the test server: fresh database names and a fresh blob folder. */
async function deployment(label: string, blobStore: 'fs' | 'gridfs' = 'fs'): Promise<BackupConfig> {
  const names = Object.fromEntries(
    databaseRoles.map((role) => [role, uniqueDatabaseName(`bk_${label}_${role}`)]),
  ) as Record<DatabaseRole, string>;
  databases.push(...Object.values(names));
  return {
    mongoUri: testMongoUri(),
    databases: names,
    blobStore,
    blobDir: join(await tempDir(`${label}-blobs`), 'blobs'),
  };
}

const dbOf = (config: BackupConfig, role: DatabaseRole): Db => client.db(config.databases[role]);
const bytesOf = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};
const quiet = () => undefined;

beforeAll(async () => {
  client = await MongoClient.connect(testMongoUri());
});
afterAll(async () => {
  for (const name of databases) await client.db(name).dropDatabase().catch(quiet);
  await client.close();
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe('a backup of a deployment that keeps changing, restored elsewhere', () => {
  let source: BackupConfig;
  let target: BackupConfig;
  let dir: string;
  const typed = {
    _id: 'lawyer-1',
    name: '张三',
    int: new BSON.Int32(7),
    long: BSON.Long.fromString('9007199254740993'),
    double: new BSON.Double(2),
    regex: new BSON.BSONRegExp('^沪检', 'i'),
    timestamp: new BSON.Timestamp({ t: 1_700_000_000, i: 3 }),
    binary: new BSON.Binary(Buffer.from([0, 1, 2, 255]), 0),
    date: new Date('2025-03-01T08:00:00.000Z'),
    oid: new BSON.ObjectId('6650a1b2c3d4e5f601234567'),
    nested: { list: ['一', '二'], flag: true, nothing: null },
  };
  const blob = (text: string) => Readable.from([Buffer.from(`%PDF-1.4 ${text} `.repeat(2000))]);
  let attachmentY: string;
  let attachmentX: string;
  let attachmentZ: string;

  beforeAll(async () => {
    source = await deployment('src');
    target = await deployment('dst');
    dir = join(await tempDir('out'), 'backup');
    const identity = dbOf(source, 'identity');
    await identity.collection('lawyers').createIndex({ licenceNumber: 1 }, { unique: true });
    await identity.collection('lawyers').insertMany([
      { ...typed, _id: typed._id as never, licenceNumber: '13101200510123456' },
      { _id: 'lawyer-2' as never, name: '李四', licenceNumber: '13401201110234567' },
    ]);
    const store = createFsBlobStore(join(source.blobDir, 'cases'));
    attachmentY = (await store.put('attachments', blob('委托书 Y'))).id;
    await dbOf(source, 'cases')
      .collection('attachments')
      .insertOne({ _id: 'att-1' as never, blobId: attachmentY, fileName: '委托书.pdf' });
    const events = dbOf(source, 'events');
    await events.createCollection('events', { capped: true, size: 1024 * 1024 });
    for (let i = 1; i <= 5; i++)
      await events.collection('events').insertOne({
        _id: `e${i}` as never,
        topic: 'cases.bindingApplication.changed',
        at: new Date(Date.now() - (6 - i) * 1000),
        payload: { n: i },
      });
    await events
      .collection('event_checkpoints')
      .insertOne({ _id: 'notifications' as never, lastId: 'e3', lastAt: new Date() });
    await events
      .collection('event_heads')
      .insertOne({ _id: 'events' as never, id: 'e5', at: new Date() });
    await dbOf(source, 'notifications')
      .collection('messages')
      .insertMany([{ _id: 'e1' as never }, { _id: 'e2' as never }, { _id: 'e3' as never }]);
  });

  it('copies in an order that keeps blobs, events and consumer positions consistent, and restores all of it', async () => {
    const steps: string[] = [];
    const store = createFsBlobStore(join(source.blobDir, 'cases'));
    const manifest = await runBackup({
      config: source,
      dir,
      log: quiet,
      afterStep: async (step) => {
        steps.push(step);
        if (step === 'blobs-first') {
          // A new attachment and its document, after the first pass over the blobs.
          attachmentX = (await store.put('attachments', blob('新附件 X'))).id;
          await dbOf(source, 'cases')
            .collection('attachments')
            .insertOne({ _id: 'att-2' as never, blobId: attachmentX, fileName: '律师证.pdf' });
        }
        if (step === 'checkpoints') {
          // The notifications consumer moves on and records its effects after its position was copied.
          await dbOf(source, 'events')
            .collection('event_checkpoints')
            .updateOne({ _id: 'notifications' as never }, { $set: { lastId: 'e5' } });
          await dbOf(source, 'notifications')
            .collection('messages')
            .insertMany([{ _id: 'e4' as never }, { _id: 'e5' as never }]);
        }
        if (step === 'database:cases') {
          // After cases is copied, Y is replaced by Z and deleted: the copied document still names Y.
          attachmentZ = (await store.put('attachments', blob('替换后的 Z'))).id;
          await dbOf(source, 'cases')
            .collection('attachments')
            .updateOne({ _id: 'att-1' as never }, { $set: { blobId: attachmentZ } });
          await store.delete('attachments', attachmentY);
        }
        if (step === 'database:reading') {
          // A change copied already, announced now: the log is copied after, so it has the event.
          await dbOf(source, 'events')
            .collection('events')
            .insertOne({
              _id: 'e6' as never,
              topic: 'reading.package.changed',
              at: new Date(),
              payload: {},
            });
        }
      },
    });

    expect(steps).toEqual([
      'blobs-first',
      'checkpoints',
      'database:identity',
      'database:cases',
      'database:reading',
      'database:notifications',
      'events',
      'blobs-second',
    ]);
    expect((await verifyBackup(dir)).problems).toEqual([]);
    expect(manifest.bus.checkpoints).toEqual([
      expect.objectContaining({ consumer: 'notifications', lastId: 'e3', inCopy: true }),
    ]);
    expect(manifest.bus.headAtStart?.id).toBe('e5');
    expect(manifest.bus.lastCopied?.id).toBe('e6');
    expect(manifest.bus.publishedDuringBackup).toBe(1);
    expect(manifest.blobs.items.map((b) => [b.id, b.pass]).sort()).toEqual(
      [
        [attachmentY, 1],
        [attachmentX, 2],
        [attachmentZ, 2],
      ].sort(),
    );

    await runRestore({ config: target, dir, log: quiet });

    // Every document with its types.
    const lawyer = await dbOf(target, 'identity')
      .collection('lawyers')
      .findOne({ _id: 'lawyer-1' as never }, { promoteValues: false, bsonRegExp: true });
    expect(lawyer).toEqual({ ...typed, name: '张三', licenceNumber: '13101200510123456' });
    // The unique index holds in the restored deployment.
    const indexes = await dbOf(target, 'identity').collection('lawyers').listIndexes().toArray();
    expect(indexes.find((i) => i.key.licenceNumber === 1)).toMatchObject({ unique: true });
    await expect(
      dbOf(target, 'identity')
        .collection('lawyers')
        .insertOne({ licenceNumber: '13401201110234567' }),
    ).rejects.toMatchObject({ code: 11000 });
    // The capped log: capped, its size, its order, and the event published mid-backup.
    const events = dbOf(target, 'events');
    const [info] = await events.listCollections({ name: 'events' }).toArray();
    expect(info).toMatchObject({ options: { capped: true, size: 1024 * 1024 } });
    expect((await events.collection('events').find().toArray()).map((e) => e._id)).toEqual([
      'e1',
      'e2',
      'e3',
      'e4',
      'e5',
      'e6',
    ]);
    // The consumer resumes at e3 with its effects up to e5 restored: it re-handles e4 and e5
    // (idempotent by event id), it never skips one.
    expect(await events.collection('event_checkpoints').findOne()).toMatchObject({ lastId: 'e3' });
    expect(await dbOf(target, 'notifications').collection('messages').countDocuments()).toBe(5);
    // Every blob a restored document names exists, with its bytes: Y, deleted from the source
    // after its document was copied, and X, created after the first pass.
    const restored = createFsBlobStore(join(target.blobDir, 'cases'));
    for (const att of await dbOf(target, 'cases').collection('attachments').find().toArray()) {
      const original = await readFile(
        join(dir, 'blobs', 'cases', 'attachments', att.blobId as string),
      );
      expect(await bytesOf(restored.open('attachments', att.blobId as string))).toEqual(original);
    }
    expect(
      (await dbOf(target, 'cases').collection('attachments').find().toArray())
        .map((a) => a.blobId)
        .sort(),
    ).toEqual([attachmentX, attachmentY].sort());
  });

  it('refuses a target that has data, with the database named, and changes nothing', async () => {
    const before = await dbOf(target, 'identity').collection('lawyers').countDocuments();

    const refusal = await runRestore({ config: target, dir, log: quiet }).catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(BackupError);
    expect((refusal as BackupError).kind).toBe('not-empty');
    expect((refusal as BackupError).message).toContain(
      `数据库 ${target.databases.identity} 的集合 lawyers`,
    );
    expect((refusal as BackupError).message).toContain('目标部署不是空的，拒绝恢复');
    expect(await dbOf(target, 'identity').collection('lawyers').countDocuments()).toBe(before);
  });

  it('refuses a tampered backup before writing anything into an empty target', async () => {
    const copy = join(await tempDir('tampered'), 'backup');
    await cp(dir, copy, { recursive: true });
    const file = join(copy, 'blobs', 'cases', 'attachments', attachmentX);
    const bytes = await readFile(file);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1;
    await writeFile(file, bytes);
    const empty = await deployment('tampered');

    const refusal = await runRestore({ config: empty, dir: copy, log: quiet }).catch(
      (e: unknown) => e,
    );

    expect((refusal as BackupError).kind).toBe('invalid');
    expect((refusal as BackupError).problems).toEqual([
      `备份文件 blobs/cases/attachments/${attachmentX} 的 SHA-256 与清单不符（被改动）。`,
    ]);
    for (const role of databaseRoles)
      expect(await dbOf(empty, role).listCollections().toArray()).toEqual([]);
  });
});

describe('GridFS blobs', () => {
  it('backs up the buckets of the services databases as blobs and restores them into GridFS or files', async () => {
    const source = await deployment('gsrc', 'gridfs');
    const reading = createGridFsBlobStore(dbOf(source, 'reading'));
    const content = randomBytes(3 * 1024 * 1024 + 17); // more than one 1 MiB chunk
    const stored = await reading.put('volumes', Readable.from([content]), {
      contentType: 'application/pdf',
    });
    await dbOf(source, 'reading')
      .collection('volumes')
      .insertOne({ _id: 'v1' as never, blobId: stored.id });
    const dir = join(await tempDir('gout'), 'backup');

    const manifest = await runBackup({ config: source, dir, log: quiet });

    expect(manifest.blobs.items).toEqual([
      expect.objectContaining({
        service: 'reading',
        bucket: 'volumes',
        id: stored.id,
        size: content.length,
        sha256: stored.sha256,
        contentType: 'application/pdf',
      }),
    ]);
    // The bucket's collections are blobs in the backup, not documents.
    expect(
      manifest.databases.find((d) => d.role === 'reading')!.collections.map((c) => c.name),
    ).toEqual(['volumes']);

    const intoGridFs = await deployment('gdst', 'gridfs');
    await runRestore({ config: intoGridFs, dir, log: quiet });
    const restored = createGridFsBlobStore(dbOf(intoGridFs, 'reading'));
    expect((await bytesOf(restored.open('volumes', stored.id))).equals(content)).toBe(true);
    expect(await dbOf(intoGridFs, 'reading').collection('volumes.files').findOne()).toMatchObject({
      metadata: { contentType: 'application/pdf' },
    });

    const intoFiles = await deployment('gfs', 'fs');
    await runRestore({ config: intoFiles, dir, log: quiet });
    const files = createFsBlobStore(join(intoFiles.blobDir, 'reading'));
    expect((await bytesOf(files.open('volumes', stored.id))).equals(content)).toBe(true);
  }, 60_000);
});
