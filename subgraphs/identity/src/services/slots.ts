import type { Collection } from 'mongodb';
import { claimOnce } from '@yuejuan/runtime';
import { refuse } from './errors.ts';

/**
 * A numbered slot: `${prefix}:${n}`. Counting is done by inserting slots under their unique
 * `_id` (FerretDB applies an update's filter outside the write, so `$inc` or a conditional
 * update could count twice): the n-th insert that lands is the n-th attempt, whoever races.
 * `expiresAt` lets the sweeper remove it once no limit needs it.
 */
export interface SlotDoc {
  _id: string;
  at: Date;
  expiresAt: Date;
  [field: string]: unknown;
}

const exists = async (slots: Collection<SlotDoc>, id: string) =>
  (await slots.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;

/**
 * The lowest free slot number in 1..limit (limit + 1 when all are taken). Slots fill upwards
 * without gaps (a taker moves on only past a slot that exists), so a binary search of `_id`
 * lookups, the one filter indexed on every backend, finds the end of the run.
 */
export async function firstFreeSlot<T extends SlotDoc>(
  collection: Collection<T>,
  prefix: string,
  limit: number,
): Promise<number> {
  const slots = collection as unknown as Collection<SlotDoc>;
  let taken = 0;
  let free = limit + 1;
  while (free - taken > 1) {
    const mid = (taken + free) >> 1;
    if (await exists(slots, `${prefix}:${mid}`)) taken = mid;
    else free = mid;
  }
  return free;
}

/** Takes the next of `limit` slots under `prefix`: its number, or null when all are taken. */
export async function takeSlot<T extends SlotDoc>(
  collection: Collection<T>,
  prefix: string,
  limit: number,
  fields: Omit<T, '_id'>,
): Promise<number | null> {
  const slots = collection as unknown as Collection<SlotDoc>;
  for (let n = await firstFreeSlot(slots, prefix, limit); n <= limit; n++) {
    if (await claimOnce(slots, `${prefix}:${n}`, fields)) return n;
  }
  return null;
}

/**
 * A fixed-window counter per key (a client IP): at most `limit` takes per window of
 * `windowSeconds`, refused with RATE_LIMITED naming the limit and when it resets.
 */
export async function limitRate(
  slots: Collection<SlotDoc>,
  scope: string,
  key: string,
  limit: number,
  windowSeconds: number,
  now: Date,
): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const bucket = Math.floor(now.getTime() / windowMs);
  const resetAt = new Date((bucket + 1) * windowMs);
  const n = await takeSlot(slots, `rate:${scope}:${key}:${bucket}`, limit, {
    at: now,
    expiresAt: resetAt,
  });
  if (n === null) throw refuse.tooManyFromIp(scope, (resetAt.getTime() - now.getTime()) / 1000);
}
