// The backup of a running deployment without transactions or snapshots (FerretDB has neither),
// ordered so that what it copies fits together (docs/adr/0007-backup-and-restore.md):
//   1. blobs that exist now;
//   2. the durable consumers' checkpoints (events database);
//   3. the services' databases: identity, cases, reading, notifications;
//   4. the event log (capped, in its order) and the rest of the events database;
//   5. blobs created since step 1;
//   6. the manifest, last.
// So every event of a copied change is in the copied log (3 before 4), every consumer resumes at
// or before what its copied effects show (2 before 3: it re-handles, idempotently, never skips),
// and every blob a copied document names is copied (it existed at 1 or still exists at 5).
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { BSON, MongoClient, type Db } from 'mongodb';
import type { BackupConfig } from './config.ts';
import {
  blobKey,
  BlobGoneError,
  copyBlob,
  fsBlobSource,
  gridFsBlobSource,
  type BlobSource,
} from './blobs.ts';
import {
  collectionFile,
  dumpCollection,
  listCollections,
  type ListedCollection,
} from './collections.ts';
import { BackupError } from './errors.ts';
import {
  bus,
  databaseRoles,
  manifestFormat,
  manifestVersion,
  writeManifest,
  type BlobEntry,
  type DatabaseEntry,
  type DatabaseRole,
  type Manifest,
} from './manifest.ts';

export interface BackupOptions {
  config: BackupConfig;
  /** A new or empty folder. */
  dir: string;
  /** One line per step, for the operator. */
  log: (line: string) => void;
  /** Called after each step with its name (tests change the deployment between steps). */
  afterStep?: (step: string) => void | Promise<void>;
}

/** The hosts of a connection string, without credentials or options (for the manifest). */
export function describeUri(uri: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/)(?:[^@/]*@)?([^/?]+)/.exec(uri);
  return m ? `${m[1]}${m[2]}/` : 'mongodb';
}

async function emptyFolder(dir: string): Promise<void> {
  try {
    if ((await readdir(dir)).length)
      throw new BackupError('failed', `目录 ${dir} 不是空的：备份只写入新目录或空目录。`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dir, { recursive: true });
}

/** A stored time as ISO 8601, or null when it is not a valid date. */
const iso = (value: unknown): string | null =>
  value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : null;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const isGridFsCollection = (name: string) => /\.(files|chunks)$/.test(name);

/** Writes a backup of the deployment `config` describes into `dir`; answers its manifest. */
export async function runBackup(options: BackupOptions): Promise<Manifest> {
  const { config, dir, log } = options;
  const inside = relative(config.blobDir, resolve(dir));
  if (
    config.blobStore === 'fs' &&
    (inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`)))
  )
    throw new BackupError(
      'failed',
      `备份目录 ${dir} 在 BLOB_DIR（${config.blobDir}）之内：请放到别处。`,
    );
  await emptyFolder(dir);
  const startedAt = new Date();
  const client = await MongoClient.connect(config.mongoUri, { serverSelectionTimeoutMS: 5000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    const db = (role: DatabaseRole): Db => client.db(config.databases[role]);
    const steps: Manifest['steps'] = [];
    const step = async (name: string) => {
      steps.push({ step: name, at: new Date().toISOString() });
      await options.afterStep?.(name);
    };
    const head = await db('events')
      .collection<{ _id: string; id: string; at: Date }>(bus.heads)
      .findOne({ _id: bus.events });

    // Blobs, first pass.
    const source: BlobSource =
      config.blobStore === 'gridfs'
        ? gridFsBlobSource(client, config.databases)
        : fsBlobSource(config.blobDir);
    const blobs = new Map<string, BlobEntry>();
    const vanished: Manifest['blobs']['vanished'] = [];
    const copyBlobs = async (pass: 1 | 2) => {
      let copied = 0;
      let bytes = 0;
      for (const blob of await source.list()) {
        if (blobs.has(blobKey(blob))) continue;
        const file = `blobs/${blob.service}/${blob.bucket}/${blob.id}`;
        await mkdir(dirname(join(dir, file)), { recursive: true });
        try {
          const written = await copyBlob(source, blob, join(dir, file));
          blobs.set(blobKey(blob), {
            ...blob,
            file,
            size: written.bytes,
            sha256: written.sha256,
            pass,
          });
          copied++;
          bytes += written.bytes;
        } catch (err) {
          if (!(err instanceof BlobGoneError)) throw err;
          vanished.push({ service: blob.service, bucket: blob.bucket, id: blob.id, pass });
        }
      }
      log(`文件（第 ${pass} 轮）：${copied} 个，${mb(bytes)}`);
    };
    await copyBlobs(1);
    await step('blobs-first');

    const databases = new Map<DatabaseRole, DatabaseEntry>(
      databaseRoles.map((role) => [role, { role, name: config.databases[role], collections: [] }]),
    );
    const copy = async (role: DatabaseRole, c: ListedCollection, watch?: (doc: Buffer) => void) => {
      if (c.type && c.type !== 'collection') {
        log(`跳过 ${config.databases[role]}.${c.name}：类型 ${c.type} 不是集合`);
        return;
      }
      const entry = await dumpCollection(db(role), c, dir, collectionFile(role, c.name), watch);
      databases.get(role)!.collections.push(entry);
    };

    // The durable consumers' positions, before any effect of theirs is copied.
    await mkdir(join(dir, 'db', 'events'), { recursive: true });
    const checkpoints = (await listCollections(db('events'))).find(
      (c) => c.name === bus.checkpoints,
    );
    const saved: { consumer: string; lastId: string; lastAt: string | null }[] = [];
    if (checkpoints)
      await copy('events', checkpoints, (doc) => {
        const d = BSON.deserialize(doc);
        saved.push({ consumer: String(d._id), lastId: String(d.lastId), lastAt: iso(d.lastAt) });
      });
    await step('checkpoints');

    for (const role of databaseRoles.filter((r) => r !== 'events')) {
      await mkdir(join(dir, 'db', role), { recursive: true });
      const collections = (await listCollections(db(role))).filter(
        (c) => !(config.blobStore === 'gridfs' && isGridFsCollection(c.name)),
      );
      for (const c of collections) await copy(role, c);
      const entry = databases.get(role)!;
      const documents = entry.collections.reduce((n, c) => n + c.count, 0);
      log(`数据库 ${entry.name}：${entry.collections.length} 个集合，${documents} 条文档`);
      await step(`database:${role}`);
    }

    // The event log after every database whose changes it announces; then the rest (the head).
    const wanted = new Set(saved.map((s) => s.lastId));
    const inCopy = new Set<string>();
    let last = null as { id: string; at: string | null } | null;
    const headId = head ? String(head.id) : null;
    let pastHead = headId === null;
    let publishedDuring = 0;
    const eventsLater = (await listCollections(db('events'))).filter(
      (c) => !(config.blobStore === 'gridfs' && isGridFsCollection(c.name)),
    );
    const eventLog = eventsLater.find((c) => c.name === bus.events);
    if (eventLog)
      await copy('events', eventLog, (doc) => {
        const d = BSON.deserialize(doc, { promoteValues: false });
        const id = String(d._id);
        last = { id, at: iso(d.at) };
        if (pastHead) publishedDuring++;
        else if (id === headId) pastHead = true;
        if (wanted.has(id)) inCopy.add(id);
      });
    for (const c of eventsLater)
      if (c.name !== bus.events && c.name !== bus.checkpoints) await copy('events', c);
    const events = databases.get('events')!;
    log(
      `数据库 ${events.name}（事件）：${events.collections.find((c) => c.name === bus.events)?.count ?? 0} 条事件`,
    );
    await step('events');

    await copyBlobs(2);
    await step('blobs-second');

    const entries = [...databases.values()];
    const items = [...blobs.values()];
    const manifest: Manifest = {
      format: manifestFormat,
      version: manifestVersion,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      tool: { name: '@yuejuan/ops', node: process.version },
      source: {
        mongo: describeUri(config.mongoUri),
        server: {
          version: String(info.version),
          ...(info.ferretdbVersion ? { ferretdb: String(info.ferretdbVersion) } : {}),
        },
        blobStore: config.blobStore,
      },
      steps,
      bus: {
        database: config.databases.events,
        headAtStart: head ? { id: String(head.id), at: iso(head.at) } : null,
        lastCopied: last,
        publishedDuringBackup: pastHead ? publishedDuring : null,
        checkpoints: saved.map((s) => ({
          consumer: s.consumer,
          lastId: s.lastId,
          lastAt: s.lastAt,
          inCopy: inCopy.has(s.lastId),
        })),
      },
      databases: entries,
      blobs: { items, vanished },
      totals: {
        collections: entries.reduce((n, d) => n + d.collections.length, 0),
        documents: entries.reduce((n, d) => n + d.collections.reduce((m, c) => m + c.count, 0), 0),
        blobs: items.length,
        blobBytes: items.reduce((n, b) => n + b.size, 0),
      },
    };
    for (const c of manifest.bus.checkpoints.filter((c) => !c.inCopy))
      log(
        `注意：消费者 ${c.consumer} 的位置 ${c.lastId} 已不在事件日志中，恢复后它从 ${c.lastAt ?? '最早的事件'} 前后读起`,
      );
    if (manifest.bus.publishedDuringBackup)
      log(
        `注意：备份期间发布了 ${manifest.bus.publishedDuringBackup} 个事件：各数据库复制于不同时刻（见清单 steps），需要与某一时刻完全一致的备份时请在停写期间备份`,
      );
    if (vanished.some((v) => v.pass === 2))
      log(
        `注意：${vanished.filter((v) => v.pass === 2).length} 个文件在备份期间新建又被删除，未能复制`,
      );
    await writeManifest(dir, manifest, config.signingKey);
    return manifest;
  } finally {
    await client.close();
  }
}
