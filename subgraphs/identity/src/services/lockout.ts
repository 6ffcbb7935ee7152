import type { Collection } from 'mongodb';
import { claimOnce } from '@yuejuan/runtime';
import { refuse } from './errors.ts';
import { firstFreeSlot, takeSlot, type SlotDoc } from './slots.ts';

const day = 86_400_000;

/** One password check that has taken its try; report how it went. */
export interface PasswordTry {
  /** The password was right: the count starts again. */
  succeeded(): Promise<void>;
  /** The password was wrong: throws INVALID_CREDENTIALS, or ACCOUNT_LOCKED when it was the last try. */
  failed(): Promise<never>;
}

/**
 * Password failure limits of one account: `maxFailures` tries per generation, each taken as a
 * numbered slot *before* the password is compared, so concurrent guesses cannot exceed it.
 * When the last slot of a generation is taken the account is locked for `lockSeconds` from
 * then; a success or the end of a lock starts the next generation (`pwgen:` marker, inserted
 * once). Generations are found by an exponential search of `_id` lookups.
 */
export function createLockout(slots: Collection<SlotDoc>, policy: { maxFailures: number; lockSeconds: number }) {
  const gen = (subject: string, g: number) => `pwgen:${subject}:${g}`;
  const exists = async (id: string) => (await slots.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;

  async function generation(subject: string): Promise<number> {
    let free = 2;
    while (await exists(gen(subject, free))) free *= 2;
    let taken = free / 2; // generation 1 exists implicitly
    while (free - taken > 1) {
      const mid = (taken + free) >> 1;
      if (await exists(gen(subject, mid))) taken = mid;
      else free = mid;
    }
    return taken;
  }

  const nextGeneration = (subject: string, g: number, now: Date) => claimOnce(slots, gen(subject, g + 1), { at: now, expiresAt: new Date(now.getTime() + 365 * day) });

  return {
    /** Whether the account is locked now, and for how long (without taking a try). */
    async lockedFor(subject: string, now: Date): Promise<number> {
      const g = await generation(subject);
      const last = await slots.findOne({ _id: `pw:${subject}:${g}:${policy.maxFailures}` });
      const until = last ? last.at.getTime() + policy.lockSeconds * 1000 : 0;
      return Math.max(0, until - now.getTime()) / 1000;
    },

    /** Takes one try for `subject` (an account key); throws ACCOUNT_LOCKED when none is left. */
    async begin(subject: string, now: Date): Promise<PasswordTry> {
      let g = await generation(subject);
      const prefix = () => `pw:${subject}:${g}`;
      if ((await firstFreeSlot(slots, prefix(), policy.maxFailures)) > policy.maxFailures) {
        const last = await slots.findOne({ _id: `${prefix()}:${policy.maxFailures}` });
        const until = (last?.at.getTime() ?? now.getTime()) + policy.lockSeconds * 1000;
        if (now.getTime() < until) throw refuse.accountLocked((until - now.getTime()) / 1000);
        await nextGeneration(subject, g, now);
        g += 1;
      }
      // Failures are forgotten after a day (or the lock, if longer); the sweeper removes them.
      const keep = new Date(now.getTime() + Math.max(day, policy.lockSeconds * 1000));
      const n = await takeSlot(slots, prefix(), policy.maxFailures, { at: now, expiresAt: keep });
      if (n === null) throw refuse.accountLocked(policy.lockSeconds);
      return {
        succeeded: async () => { await nextGeneration(subject, g, now); },
        failed: async () => {
          if (n >= policy.maxFailures) throw refuse.accountLocked(policy.lockSeconds);
          throw refuse.invalidCredentials(policy.maxFailures - n);
        },
      };
    },
  };
}
export type Lockout = ReturnType<typeof createLockout>;
