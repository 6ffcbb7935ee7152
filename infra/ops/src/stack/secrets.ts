import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StackSecrets {
  internal: string;
  idHash: string;
}

/**
 * Development secrets: taken from the environment when set (production always sets them);
 * otherwise generated once into an ignored file (mode 600) and reused, because the ID-number
 * hashes stored in the database depend on the key staying the same.
 */
export function loadDevSecrets(file: string, env: NodeJS.ProcessEnv = process.env): StackSecrets {
  let stored: Partial<StackSecrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<StackSecrets>;
  const secrets: StackSecrets = {
    internal: env.YUEJUAN_INTERNAL_SECRET ?? stored.internal ?? randomBytes(32).toString('hex'),
    idHash: env.YUEJUAN_ID_HASH_KEY ?? stored.idHash ?? randomBytes(32).toString('hex'),
  };
  if (!existsSync(file) && (!env.YUEJUAN_INTERNAL_SECRET || !env.YUEJUAN_ID_HASH_KEY)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ internal: secrets.internal, idHash: secrets.idHash }), {
      mode: 0o600,
    });
  }
  return secrets;
}
