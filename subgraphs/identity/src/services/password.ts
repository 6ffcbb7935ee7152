import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '@yuejuan/runtime';

// Passwords are hashed with scrypt from node:crypto, not argon2id: the `argon2` package's
// prebuilt binary for linux-x64 crashes (SIGSEGV) on this platform's Node 20, and it installs
// only by compiling from source, which a clean machine or CI cannot be relied on for. The stored
// form names its algorithm and parameters, so a later switch can verify old hashes and rehash.

const params = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };
const maxmem = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, p: typeof params): Promise<Buffer> {
  const options: ScryptOptions = { N: p.N, r: p.r, p: p.p, maxmem };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, p.keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Why a new password is refused, or null: 8 to 64 characters with letters and digits. */
export function passwordProblem(password: string): string | null {
  if (typeof password !== 'string' || password.length < 8 || password.length > 64) return '密码应为8至64位。';
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) return '密码须同时包含字母和数字。';
  if (/\s/.test(password)) return '密码不能包含空格。';
  return null;
}

/** Throws BAD_USER_INPUT (field `field`) for a password that fails the policy. */
export function checkPassword(password: string, field = 'newPassword'): void {
  const problem = passwordProblem(password);
  if (problem) throw new AppError('BAD_USER_INPUT', problem, { field });
}

/** `scrypt$N$r$p$salt$hash` (base64url): the only stored form of a password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

// Compared against when an account has no password, so a missing account costs the same time.
const decoy = hashPassword(randomBytes(12).toString('hex'));

/** Whether `password` matches `stored` (constant time; a missing hash is checked against a decoy and fails). */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const [algorithm, N, r, p, salt, hash] = (stored ?? (await decoy)).split('$');
  if (algorithm !== 'scrypt' || !salt || !hash || typeof password !== 'string' || password.length > 256) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(N), r: Number(r), p: Number(p), keylen: expected.length });
  return timingSafeEqual(key, expected) && !!stored;
}
