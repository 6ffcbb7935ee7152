import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Collection } from 'mongodb';
import { claimOnce } from '@yuejuan/runtime';
import { refuse } from './errors.ts';
import type { IdentityPolicy } from './policy.ts';
import type { SmsKind, SmsSender } from './sms-sender.ts';
import { firstFreeSlot, takeSlot, type SlotDoc } from './slots.ts';
import { maskPhone } from './validation.ts';

/** What a code is for; a code of one purpose never passes for another. */
export type CodePurpose =
  'ACTIVATION' | 'LAWYER_LOGIN' | 'PROSECUTOR_LOGIN' | 'ADMINISTRATOR_LOGIN';

const kindOf: Record<CodePurpose, SmsKind> = {
  ACTIVATION: 'BINDING_PHONE_CODE',
  LAWYER_LOGIN: 'LOGIN_CODE',
  PROSECUTOR_LOGIN: 'PROSECUTOR_LOGIN_CODE',
  ADMINISTRATOR_LOGIN: 'LOGIN_CODE',
};

/**
 * One code sent to a phone: slot n of that phone's day (`${phone}:${day}:${n}`), so the n-th
 * code of a day is an insert that lands once, and the latest code is found by `_id` lookups.
 * Only the keyed hash of the code is stored.
 */
export interface CodeDoc extends SlotDoc {
  purpose: CodePurpose;
  subjectId: string | null;
  codeHash: string;
  codeExpiresAt: Date;
}

const dayMs = 86_400_000;
/** Calendar day in China (UTC+8): the daily limit resets at local midnight. */
const chinaDay = (now: Date) => Math.floor((now.getTime() + 8 * 3_600_000) / dayMs);

export interface CodeSent {
  phoneMasked: string;
  resendAfterSeconds: number;
  expiresInSeconds: number;
}

/**
 * SMS codes: 6 digits, sent through the SmsSender, at most one per phone and purpose per
 * `resendSeconds`, `dailyLimit` a day per phone (of which `dailyLimitPerSource` for one source), valid `codeTtlSeconds`, invalid after `maxAttempts` tries (each try
 * takes a slot before the comparison, so concurrent guesses cannot exceed it), single use.
 */
export function createSmsCodeService(
  codes: Collection<CodeDoc>,
  slots: Collection<SlotDoc>,
  hashKey: string,
  policy: IdentityPolicy['sms'],
  sender: () => SmsSender,
) {
  const hash = (id: string, code: string) =>
    createHmac('sha256', hashKey).update(`sms-code|${id}|${code}`).digest();

  /** The phone's newest code of `purpose` (today's or yesterday's), by `_id` lookups from the newest down. */
  async function latest(phone: string, now: Date, purpose: CodePurpose): Promise<CodeDoc | null> {
    for (const day of [chinaDay(now), chinaDay(now) - 1]) {
      for (
        let n = (await firstFreeSlot(codes, `${phone}:${day}`, policy.dailyLimit)) - 1;
        n > 0;
        n--
      ) {
        const doc = await codes.findOne({ _id: `${phone}:${day}:${n}` });
        if (doc?.purpose === purpose) return doc;
      }
    }
    return null;
  }

  return {
    /**
     * Issues a code for `purpose` to `phone`. With `subjectId` null the limits are applied and
     * the answer is the same, but nothing is sent: callers use it for numbers they will not
     * log in, so the answer does not tell who is registered.
     */
    async send(
      purpose: CodePurpose,
      phone: string,
      subjectId: string | null,
      now: Date,
      source?: string,
    ): Promise<CodeSent> {
      const day = chinaDay(now);
      const n = await firstFreeSlot(codes, `${phone}:${day}`, policy.dailyLimit);
      if (n > policy.dailyLimit) throw refuse.smsDailyLimit(policy.dailyLimit);
      // One code per phone per purpose per interval: a login code right after activation is fine.
      const previous = await latest(phone, now, purpose);
      const wait = previous
        ? previous.at.getTime() + policy.resendSeconds * 1000 - now.getTime()
        : 0;
      if (wait > 0) throw refuse.smsTooFrequent(wait / 1000);
      // One source (address and browser) gets only a share of the phone's day (taken below, once
      // this request's code slot is won: of racing requests only one sends).
      const share =
        source && policy.dailyLimitPerSource ? `smsfrom:${phone}:${source}:${day}` : null;
      if (
        share &&
        (await firstFreeSlot(slots, share, policy.dailyLimitPerSource!)) >
          policy.dailyLimitPerSource!
      )
        throw refuse.smsDailyLimit(policy.dailyLimitPerSource!);
      const id = `${phone}:${day}:${n}`;
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const doc = {
        at: now,
        expiresAt: new Date((day + 2) * dayMs), // kept while the day's count needs it
        purpose,
        subjectId,
        codeHash: hash(id, code).toString('hex'),
        codeExpiresAt: new Date(now.getTime() + policy.codeTtlSeconds * 1000),
      };
      // Another request took this slot a moment ago: that one is the code of this minute.
      if (!(await claimOnce(codes, id, doc))) throw refuse.smsTooFrequent(policy.resendSeconds);
      if (share)
        await takeSlot(slots, share, policy.dailyLimitPerSource!, {
          at: now,
          expiresAt: new Date((day + 2) * dayMs),
        });
      if (subjectId) {
        const minutes = String(Math.round(policy.codeTtlSeconds / 60));
        await sender().send({
          phone,
          kind: kindOf[purpose],
          variables: { code, expiresInMinutes: minutes },
          dedupeKey: `sms-code:${id}`,
        });
      }
      return {
        phoneMasked: maskPhone(phone),
        resendAfterSeconds: policy.resendSeconds,
        expiresInSeconds: policy.codeTtlSeconds,
      };
    },

    /** Checks and consumes the latest code of `phone` for `purpose` (and `subjectId`); returns the subject. */
    async verify(
      purpose: CodePurpose,
      phone: string,
      code: string,
      now: Date,
      subjectId?: string,
    ): Promise<string> {
      const doc = await latest(phone, now, purpose);
      if (!doc || (subjectId && doc.subjectId !== subjectId)) throw refuse.codeInvalid();
      if (doc.codeExpiresAt <= now) throw refuse.codeExpired();
      const n = await takeSlot(slots, `try:${doc._id}`, policy.maxAttempts, {
        at: now,
        expiresAt: doc.expiresAt,
      });
      if (n === null) throw refuse.codeExhausted();
      const given = typeof code === 'string' && /^\d{6}$/.test(code) ? hash(doc._id, code) : null;
      // A code issued for an unknown number (subjectId null) fails like a wrong one: same answer, same count.
      if (!given || !timingSafeEqual(given, Buffer.from(doc.codeHash, 'hex')) || !doc.subjectId) {
        if (n >= policy.maxAttempts) throw refuse.codeExhausted();
        throw refuse.codeInvalid(policy.maxAttempts - n);
      }
      if (!(await claimOnce(slots, `used:${doc._id}`, { at: now, expiresAt: doc.expiresAt })))
        throw refuse.codeUsed();
      return doc.subjectId;
    },
  };
}
export type SmsCodeService = ReturnType<typeof createSmsCodeService>;
