/**
 * Why a backup command stopped, which decides its exit code:
 * - `invalid` (2): the backup is incomplete, truncated, tampered with or not a backup at all;
 * - `not-empty` (3): a restore target already holds data;
 * - `failed` (1): anything else (settings, arguments, the database, the disk).
 */
export type BackupErrorKind = 'invalid' | 'not-empty' | 'failed';

/** A refusal or failure with a Chinese message for the operator (one line per problem). */
export class BackupError extends Error {
  constructor(
    readonly kind: BackupErrorKind,
    message: string,
    /** Each problem found, e.g. every file whose checksum is wrong. */
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

/** The backup at hand is not usable: each problem names its file. */
export const invalidBackup = (problems: string[]): BackupError =>
  new BackupError(
    'invalid',
    `备份无效（${problems.length} 个问题）：\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    problems,
  );
