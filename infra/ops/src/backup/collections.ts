// One collection to a BSON file and back: its documents in natural order (a capped
// collection's order is the event bus's order), its options (capped, size, max) and its
// indexes (unique and the rest), as mongodump and mongorestore treat them.
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { BSON, type Db, type Document } from 'mongodb';

const { EJSON } = BSON;
import { createHashedWriter, rawIdKey, readBsonFile, type WrittenFile } from './files.ts';
import type { CollectionEntry } from './manifest.ts';

/** A collection as listCollections describes it. */
export interface ListedCollection {
  name: string;
  type?: string;
  options?: Document;
}

/** The collections of `db` worth copying (no system collections), by name. */
export async function listCollections(db: Db): Promise<ListedCollection[]> {
  const all = (await db.listCollections().toArray()) as ListedCollection[];
  return all
    .filter((c) => !c.name.startsWith('system.'))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The file of a collection inside the backup: `db/<role>/<name>.bson` (the name URI-encoded). */
export const collectionFile = (role: string, name: string): string =>
  `db/${role}/${encodeURIComponent(name)}.bson`;

const idKey = (doc: Buffer): string =>
  rawIdKey(doc) ?? EJSON.stringify(BSON.deserialize(doc, { promoteValues: false })._id);

/**
 * Copies a collection into `<dir>/<file>`. Documents are the server's own bytes (a raw cursor:
 * nothing is decoded and re-encoded, so every BSON type survives); a document seen twice by the
 * scan (moved by an update while it ran) is written once. `watch` sees each written document.
 */
export async function dumpCollection(
  db: Db,
  collection: ListedCollection,
  dir: string,
  file: string,
  watch?: (doc: Buffer) => void,
): Promise<CollectionEntry> {
  const indexes = (await db.collection(collection.name).listIndexes().toArray()).map(
    ({ v: _v, ns: _ns, ...spec }) => EJSON.serialize(spec, { relaxed: true }) as Document,
  );
  const path = join(dir, file);
  const writer = createHashedWriter(path);
  const seen = new Set<string>();
  let written: WrittenFile;
  try {
    const cursor = db.collection(collection.name).find({}, { raw: true, batchSize: 1000 });
    for await (const raw of cursor) {
      const doc = raw as unknown as Buffer;
      const key = idKey(doc);
      if (seen.has(key)) continue;
      seen.add(key);
      await writer.write(doc);
      watch?.(doc);
    }
    written = await writer.close();
  } catch (err) {
    await writer.abort();
    await rm(path, { force: true });
    throw err;
  }
  return {
    name: collection.name,
    file,
    count: seen.size,
    bytes: written.bytes,
    sha256: written.sha256,
    options: EJSON.serialize(collection.options ?? {}, { relaxed: true }) as Document,
    indexes,
    copiedAt: new Date().toISOString(),
  };
}

const batchDocuments = 1000;
const batchBytes = 8 * 1024 * 1024;

/**
 * Recreates a collection from its entry and file: the collection with its options (a capped one
 * with its size), the documents in file order, then the indexes (as mongorestore does, after the
 * data). An existing collection of that name must be empty and is replaced. Throws when the file
 * no longer matches the checksum verified before (changed during the restore).
 */
export async function restoreCollection(
  db: Db,
  entry: CollectionEntry,
  path: string,
): Promise<number> {
  const options = EJSON.deserialize(entry.options, { relaxed: true }) as Document;
  const exists = (await db.listCollections({ name: entry.name }, { nameOnly: true }).toArray())
    .length;
  if (exists) await db.collection(entry.name).drop();
  await db.createCollection(entry.name, options);
  const target = db.collection(entry.name);
  const validated = options.validator !== undefined;
  let batch: Document[] = [];
  let bytes = 0;
  let inserted = 0;
  const flush = async () => {
    if (!batch.length) return;
    await target.insertMany(batch, {
      ordered: true,
      ...(validated ? { bypassDocumentValidation: true } : {}),
    });
    inserted += batch.length;
    batch = [];
    bytes = 0;
  };
  let file: WrittenFile | undefined;
  for await (const doc of readBsonFile(path, (f) => (file = f))) {
    // promoteValues false keeps Int32, Int64 and Double as they were; bsonRegExp keeps flags.
    batch.push(BSON.deserialize(doc, { promoteValues: false, bsonRegExp: true }));
    bytes += doc.length;
    if (batch.length >= batchDocuments || bytes >= batchBytes) await flush();
  }
  await flush();
  if (file?.sha256 !== entry.sha256)
    throw new Error(`备份文件 ${entry.file} 在校验之后被改动，恢复中止。`);
  const indexes = entry.indexes
    .map((spec) => EJSON.deserialize(spec, { relaxed: true }) as Document)
    .filter((spec) => spec.name !== '_id_');
  if (indexes.length) await db.command({ createIndexes: entry.name, indexes });
  return inserted;
}
