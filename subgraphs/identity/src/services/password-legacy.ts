import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// The scrypt form passwords were stored in before argon2id (`scrypt$N$r$p$salt$hash`,
// base64url). Kept only so that those hashes still verify until their owners log in again.

const maxmem = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keylen: number): Promise<Buffer> {
  const options: ScryptOptions = { N, r, p, maxmem };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Whether `stored` is a hash of the scrypt form. */
export const isLegacyScrypt = (stored: string): boolean => stored.startsWith('scrypt$');

/** Whether `password` matches a legacy scrypt hash (constant-time compare; malformed hashes fail). */
export async function verifyLegacyScrypt(password: string, stored: string): Promise<boolean> {
  const [, N, r, p, salt, hash] = stored.split('$');
  const cost = [Number(N), Number(r), Number(p)] as const;
  if (!salt || !hash || !cost.every((n) => Number.isInteger(n) && n > 0) || cost[0] > 2 ** 20) return false;
  const expected = Buffer.from(hash, 'base64url');
  try {
    const key = await derive(password, Buffer.from(salt, 'base64url'), cost[0], cost[1], cost[2], expected.length);
    return timingSafeEqual(key, expected);
  } catch {
    return false;
  }
}

/** A hash in the legacy form (N=2^15, r=8, p=1), as stored before argon2id: for tests of the upgrade. */
export async function hashLegacyScrypt(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, 2 ** 15, 8, 1, 32);
  return ['scrypt', 2 ** 15, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}
