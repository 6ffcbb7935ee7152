// Restores a backup into an empty deployment: refuses a target that holds any document or
// blob, verifies every file of the backup before it writes anything, then writes the blobs, the
// collections with their options and documents, and their indexes.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { MongoClient, type Db } from 'mongodb';
import type { BackupConfig } from './config.ts';
import {
  existingFsBlobs,
  fsBlobSink,
  gridFsBlobSink,
  gridFsProblem,
  type BlobSink,
} from './blobs.ts';
import { listCollections, restoreCollection } from './collections.ts';
import { BackupError, invalidBackup } from './errors.ts';
import { databaseRoles, type BlobEntry, type DatabaseRole, type Manifest } from './manifest.ts';
import { insideBackup, verifyBackup } from './verify.ts';

export interface RestoreOptions {
  config: BackupConfig;
  dir: string;
  log: (line: string) => void;
}

/** Where the target already holds data: `database (collection)` and blob files; empty when none. */
async function dataInTarget(client: MongoClient, config: BackupConfig): Promise<string[]> {
  const found: string[] = [];
  for (const role of databaseRoles) {
    const db: Db = client.db(config.databases[role]);
    for (const c of await listCollections(db)) {
      if (c.type && c.type !== 'collection') continue;
      if (await db.collection(c.name).findOne({}, { projection: { _id: 1 } }))
        found.push(`数据库 ${db.databaseName} 的集合 ${c.name}`);
    }
  }
  if (config.blobStore === 'fs')
    for (const file of await existingFsBlobs(config.blobDir))
      found.push(`文件目录 ${config.blobDir} 中的 ${file}`);
  return found;
}

/** A backup file's bytes, failing at the end if they are not the ones verified. */
async function* verifiedBytes(path: string, entry: BlobEntry): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    yield chunk as Buffer;
  }
  if (hash.digest('hex') !== entry.sha256)
    throw new Error(`备份文件 ${entry.file} 在校验之后被改动，恢复中止。`);
}

/** Restores `dir` into the deployment of `config`; answers the manifest restored. */
export async function runRestore(options: RestoreOptions): Promise<Manifest> {
  const { config, dir, log } = options;
  const client = await MongoClient.connect(config.mongoUri, { serverSelectionTimeoutMS: 5000 });
  try {
    const occupied = await dataInTarget(client, config);
    if (occupied.length)
      throw new BackupError(
        'not-empty',
        `目标部署不是空的，拒绝恢复：${occupied.slice(0, 5).join('；')}${occupied.length > 5 ? ' 等' : ''}。` +
          '恢复只写入空的部署：请确认 MONGODB_URI、各 *_DB 和 BLOB_DIR 指向新的部署，或先清空它们。',
      );

    const verified = await verifyBackup(dir, config.signingKey);
    if (verified.problems.length) throw invalidBackup(verified.problems);
    const { manifest } = verified;
    log(
      `备份校验通过：${manifest.totals.collections} 个集合，${manifest.totals.documents} 条文档，${manifest.totals.blobs} 个文件（备份于 ${manifest.startedAt}）`,
    );

    let sink: BlobSink;
    if (config.blobStore === 'gridfs') {
      const problems = manifest.blobs.items.map(gridFsProblem).filter((p) => p !== null);
      if (problems.length) throw new BackupError('failed', problems.join('\n'), problems);
      sink = gridFsBlobSink(client, config.databases);
    } else sink = fsBlobSink(config.blobDir);

    // Blobs before the documents that name them.
    for (const blob of manifest.blobs.items)
      await sink.put(blob, verifiedBytes(insideBackup(dir, blob.file), blob));
    log(`文件：${manifest.blobs.items.length} 个已写入（${config.blobStore}）`);

    // The services' databases, then the events database (the log, checkpoints, head).
    const order = [...manifest.databases].sort(
      (a, b) => Number(a.role === 'events') - Number(b.role === 'events'),
    );
    for (const database of order) {
      const db = client.db(config.databases[database.role as DatabaseRole]);
      let documents = 0;
      for (const c of database.collections) {
        const inserted = await restoreCollection(db, c, insideBackup(dir, c.file));
        if (inserted !== c.count)
          throw new Error(
            `集合 ${db.databaseName}.${c.name} 写入 ${inserted} 条，清单记录为 ${c.count} 条。`,
          );
        documents += inserted;
      }
      log(`数据库 ${db.databaseName}：${database.collections.length} 个集合，${documents} 条文档`);
    }
    return manifest;
  } finally {
    await client.close();
  }
}
