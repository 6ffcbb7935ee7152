import { claimOnce } from '@yuejuan/runtime';
import { nativeCollection, type NotificationsModels } from '../models/index.ts';

export interface RateLimit {
  windowSeconds: number;
  max: number;
}

/**
 * Per-phone send limits against SMS bombing, in fixed windows. Each send takes a numbered slot
 * `${phone}:${windowSeconds}:${window}:${n}` (n = 1..max) by inserting it under its unique
 * `_id`, so concurrent requests can never take more than `max` slots (a counter with $inc
 * could, on FerretDB). Windows are checked shortest first: a request refused by the minute
 * window does not eat into the day's allowance. Slots of passed windows are swept later.
 */
export function createRateLimiter(models: NotificationsModels, limits: RateLimit[]) {
  const slots = nativeCollection(models.RateSlot);
  return {
    /** Takes one send for `phone`, or answers how long until the fullest window reopens. */
    async take(
      phone: string,
      now = new Date(),
    ): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number; windowSeconds: number }> {
      for (const { windowSeconds, max } of limits) {
        const size = windowSeconds * 1000;
        const window = Math.floor(now.getTime() / size);
        const expiresAt = new Date((window + 1) * size);
        let taken = false;
        for (let n = 1; n <= max && !taken; n++)
          taken = await claimOnce(slots, `${phone}:${windowSeconds}:${window}:${n}`, { expiresAt });
        if (!taken)
          return {
            ok: false,
            retryAfterSeconds: Math.max(1, Math.ceil((expiresAt.getTime() - now.getTime()) / 1000)),
            windowSeconds,
          };
      }
      return { ok: true };
    },
    /** Deletes the slots of windows that have passed (no TTL indexes on FerretDB). */
    async sweep(now = new Date()): Promise<number> {
      return (await models.RateSlot.deleteMany({ expiresAt: { $lt: now } }).exec()).deletedCount;
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
