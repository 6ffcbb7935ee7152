import { hash as argon2Hash, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { AppError } from '@yuejuan/runtime';

// Passwords are hashed with argon2id through @node-rs/argon2 (a Rust binding whose prebuilt
// binaries ship inside registry packages): the `argon2` package's linux-x64 binary crashes on
// this platform's Node 20. A hash of other costs (after the configuration changed) still
// verifies and is replaced by one of the configured costs at the next successful login.

/** argon2id cost parameters (configuration; OWASP's minimum is m=19456 KiB, t=2, p=1). */
export interface PasswordHashing {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

export const defaultPasswordHashing: PasswordHashing = {
  memoryKiB: 19_456,
  timeCost: 2,
  parallelism: 1,
};

// `Algorithm` is a const enum in the binding's types, which isolated modules cannot read.
const argon2id = 2 as Algorithm;
const maxLength = 256;

/** Why a new password is refused, or null: 8 to 64 characters with letters and digits. */
export function passwordProblem(password: string): string | null {
  if (typeof password !== 'string' || password.length < 8 || password.length > 64)
    return '密码应为8至64位。';
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) return '密码须同时包含字母和数字。';
  if (/\s/.test(password)) return '密码不能包含空格。';
  return null;
}

/** Throws BAD_USER_INPUT (field `field`) for a password that fails the policy. */
export function checkPassword(password: string, field = 'newPassword'): void {
  const problem = passwordProblem(password);
  if (problem) throw new AppError('BAD_USER_INPUT', problem, { field });
}

/** The outcome of a password check: `rehash` asks the caller to store a fresh hash (old algorithm or parameters). */
export interface PasswordCheck {
  ok: boolean;
  rehash: boolean;
}

/** Hashes and checks passwords; the only place that knows how they are stored. */
export interface PasswordHasher {
  /** `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (PHC string): the stored form of a new password. */
  hash(password: string): Promise<string>;
  /** Whether `password` matches `stored`; a missing hash is checked against a decoy (same cost) and fails. */
  verify(password: string, stored: string | null | undefined): Promise<PasswordCheck>;
}

/** A hasher with the configured argon2id parameters. */
export function createPasswordHasher(
  params: PasswordHashing = defaultPasswordHashing,
): PasswordHasher {
  const options = {
    algorithm: argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  };
  const current = `$argon2id$v=19$m=${params.memoryKiB},t=${params.timeCost},p=${params.parallelism}$`;
  const hash = (password: string) => argon2Hash(password.normalize('NFKC'), options);
  let decoy: Promise<string> | undefined;

  return {
    hash,
    async verify(password, stored) {
      const usable = typeof password === 'string' && password.length <= maxLength;
      // Compared against when an account has no password, so a missing account costs the same time.
      decoy ??= hash(randomBytes(12).toString('hex'));
      const target = stored?.startsWith('$argon2id$') ? stored : await decoy;
      let matches: boolean;
      try {
        matches = usable && (await argon2Verify(target, password.normalize('NFKC')));
      } catch {
        matches = false; // a malformed stored hash never matches
      }
      const ok = matches && target === stored;
      return { ok, rehash: ok && !stored!.startsWith(current) };
    },
  };
}
