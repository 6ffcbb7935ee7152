// Checks a backup without writing anywhere: the manifest (and its signature), then every file
// against it: present, its size, its SHA-256 and, for a collection, whole BSON documents in the
// recorded number. Every problem names its file.
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { BsonFramingError, hashFile, readBsonFile, type WrittenFile } from './files.ts';
import { manifestFile, readManifest, type Manifest } from './manifest.ts';

export interface Verified {
  manifest: Manifest;
  /** The signature was checked with BACKUP_SIGNING_KEY. */
  signed: boolean;
  /** One line per problem, each naming its file; empty when the backup is whole. */
  problems: string[];
}

/** `file` of the manifest as a path inside `dir` (the manifest's paths are checked already; this is the second lock). */
export function insideBackup(dir: string, file: string): string {
  const root = resolve(dir);
  const path = resolve(root, file);
  if (!path.startsWith(root + sep)) throw new Error(`备份文件 ${file} 不在备份目录之内。`);
  return path;
}

/** Present and a regular file; otherwise the problem. */
async function fileProblem(path: string, file: string): Promise<string | null> {
  try {
    return (await stat(path)).isFile() ? null : `备份文件 ${file} 不是普通文件。`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `备份文件 ${file} 不存在。`;
    throw err;
  }
}

const compare = (file: string, got: WrittenFile, want: { bytes: number; sha256: string }) => {
  if (got.bytes !== want.bytes)
    return `备份文件 ${file} 的大小为 ${got.bytes} 字节，清单记录为 ${want.bytes} 字节（被截断或改动）。`;
  if (got.sha256 !== want.sha256) return `备份文件 ${file} 的 SHA-256 与清单不符（被改动）。`;
  return null;
};

/**
 * Reads the manifest of `dir` (BackupError 'invalid' when it is missing, malformed or its
 * signature is wrong) and checks every file it lists; answers the problems found.
 */
export async function verifyBackup(dir: string, signingKey?: string): Promise<Verified> {
  const { manifest, signed } = await readManifest(dir, signingKey);
  const problems: string[] = [];
  const files = new Set<string>();
  const once = (file: string) => {
    if (files.has(file)) problems.push(`清单中备份文件 ${file} 出现了两次。`);
    files.add(file);
  };

  const roles = new Set<string>();
  for (const database of manifest.databases) {
    if (roles.has(database.role))
      problems.push(`${manifestFile} 中数据库 ${database.role} 出现了两次。`);
    roles.add(database.role);
    for (const c of database.collections) {
      once(c.file);
      const path = insideBackup(dir, c.file);
      const missing = await fileProblem(path, c.file);
      if (missing) {
        problems.push(missing);
        continue;
      }
      let got: WrittenFile | undefined;
      let documents = 0;
      try {
        for await (const _doc of readBsonFile(path, (f) => (got = f))) documents++;
      } catch (err) {
        if (!(err instanceof BsonFramingError)) throw err;
        const size = (await stat(path)).size;
        problems.push(
          size !== c.bytes
            ? `备份文件 ${c.file} 的大小为 ${size} 字节，清单记录为 ${c.bytes} 字节（被截断或改动）。`
            : `备份文件 ${c.file} 在第 ${err.offset} 字节处不是完整的 BSON 文档（被改动）。`,
        );
        continue;
      }
      const mismatch = compare(c.file, got!, c);
      if (mismatch) problems.push(mismatch);
      else if (documents !== c.count)
        problems.push(`备份文件 ${c.file} 含 ${documents} 条文档，清单记录为 ${c.count} 条。`);
    }
  }

  for (const blob of manifest.blobs.items) {
    once(blob.file);
    const path = insideBackup(dir, blob.file);
    const missing = await fileProblem(path, blob.file);
    if (missing) {
      problems.push(missing);
      continue;
    }
    const mismatch = compare(blob.file, await hashFile(path), {
      bytes: blob.size,
      sha256: blob.sha256,
    });
    if (mismatch) problems.push(mismatch);
  }
  return { manifest, signed, problems };
}
