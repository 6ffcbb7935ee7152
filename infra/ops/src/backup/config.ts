import { resolve } from 'node:path';
import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@yuejuan/runtime';
import { blobConfigShape } from '@yuejuan/runtime/storage';
import { identityConfigShape } from '@yuejuan/identity/config';
import { casesConfigShape } from '@yuejuan/cases/config';
import { readingConfigShape } from '@yuejuan/reading/config';
import { notificationsConfigShape } from '@yuejuan/notifications/config';
import { BackupError } from './errors.ts';
import { databaseRoles, type DatabaseRole } from './manifest.ts';

// The services' own shapes, so the names and defaults are theirs: a backup reads the same
// databases and blob folder as the deployment it is run beside.
const shape = {
  MONGODB_URI: baseConfigShape.MONGODB_URI,
  IDENTITY_DB: identityConfigShape.IDENTITY_DB,
  CASES_DB: casesConfigShape.CASES_DB,
  READING_DB: readingConfigShape.READING_DB,
  NOTIFICATIONS_DB: notificationsConfigShape.NOTIFICATIONS_DB,
  EVENTS_DB: baseConfigShape.EVENTS_DB,
  ...blobConfigShape,
  /** Optional HMAC key: signs the manifest on backup, and is then required to verify/restore. */
  BACKUP_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
};

export interface BackupConfig {
  mongoUri: string;
  /** Database name of each role. */
  databases: Record<DatabaseRole, string>;
  blobStore: 'fs' | 'gridfs';
  /** Absolute root of the fs blob store (each service in its own sub-folder). */
  blobDir: string;
  signingKey?: string;
}

/**
 * The backup CLI's settings. Relative paths (BLOB_DIR) are taken from `cwd`: the folder the
 * operator ran the command in (npm passes it as INIT_CWD), like the services started there.
 */
export function loadBackupConfig(env: NodeJS.ProcessEnv, cwd: string): BackupConfig {
  const c = loadConfig(shape, env);
  const databases = {
    identity: c.IDENTITY_DB,
    cases: c.CASES_DB,
    reading: c.READING_DB,
    notifications: c.NOTIFICATIONS_DB,
    events: c.EVENTS_DB,
  } satisfies Record<DatabaseRole, string>;
  for (const role of databaseRoles) {
    const same = databaseRoles.filter((r) => databases[r] === databases[role]);
    if (same.length > 1)
      throw new BackupError(
        'failed',
        `${same.join('、')} 使用了同一个数据库 ${databases[role]}，无法分别备份和恢复。`,
      );
  }
  return {
    mongoUri: c.MONGODB_URI,
    databases,
    blobStore: c.BLOB_STORE,
    blobDir: resolve(cwd, c.BLOB_DIR),
    signingKey: c.BACKUP_SIGNING_KEY,
  };
}
