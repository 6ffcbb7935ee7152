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
 * Password failure limits. The lock is per account *and source* (address and browser, see
 * sourceKey): `maxFailures` tries per generation, each taken as a numbered slot *before* the
 * password is compared, so concurrent guesses cannot exceed it. When the last slot of a
 * generation is taken, that source is locked out of the account for `lockSeconds`; a success
 * or the end of a lock starts the next generation (`pwgen:` marker, inserted once).
 * Generations are found by an exponential search of `_id` lookups. So a stranger's wrong
 * passwords lock the stranger, not the owner; guessing from many sources is stopped by
 * `accountFailuresPerDay` over all of them (the account's password login then closes for the
 * day: lawyers still log in by scan or SMS code, staff through an administrator's reset).
 */
export function createLockout(
  slots: Collection<SlotDoc>,
  policy: { maxFailures: number; lockSeconds: number; accountFailuresPerDay?: number },
) {
  const accountCap = policy.accountFailuresPerDay ?? 50;
  const dayOf = (now: Date) => Math.floor(now.getTime() / day);
  const accountFailures = (account: string, now: Date) => `pwfail:${account}:${dayOf(now)}`;
  const gen = (subject: string, g: number) => `pwgen:${subject}:${g}`;
  const exists = async (id: string) =>
    (await slots.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;

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

  const nextGeneration = (subject: string, g: number, now: Date) =>
    claimOnce(slots, gen(subject, g + 1), {
      at: now,
      expiresAt: new Date(now.getTime() + 365 * day),
    });

  return {
    /** Whether `source` is locked out of `account` now, and for how long (without taking a try). */
    async lockedFor(account: string, source: string, now: Date): Promise<number> {
      const subject = `${account}|${source}`;
      const g = await generation(subject);
      const last = await slots.findOne({ _id: `pw:${subject}:${g}:${policy.maxFailures}` });
      const until = last ? last.at.getTime() + policy.lockSeconds * 1000 : 0;
      return Math.max(0, until - now.getTime()) / 1000;
    },

    /** Takes one try of `source` (sourceKey) at `account`; throws ACCOUNT_LOCKED when none is left. */
    async begin(account: string, source: string, now: Date): Promise<PasswordTry> {
      if ((await firstFreeSlot(slots, accountFailures(account, now), accountCap)) > accountCap)
        throw refuse.accountLocked((day - (now.getTime() % day)) / 1000);
      const subject = `${account}|${source}`;
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
        succeeded: async () => {
          await nextGeneration(subject, g, now);
        },
        failed: async () => {
          await takeSlot(slots, accountFailures(account, now), accountCap, {
            at: now,
            expiresAt: new Date(now.getTime() + 2 * day),
          });
          if (n >= policy.maxFailures) throw refuse.accountLocked(policy.lockSeconds);
          throw refuse.invalidCredentials(policy.maxFailures - n);
        },
      };
    },
  };
}
export type Lockout = ReturnType<typeof createLockout>;
