// Test doubles of the outside world: the SMS channel (records what would be sent) and a clock
// tests can move. The database is never doubled.
import type { SmsRequest, SmsSender } from '../src/services/sms-sender.ts';

/** A clock that follows real time plus an offset tests move forward. */
export function createTestClock() {
  let offsetMs = 0;
  return {
    now: (): Date => new Date(Date.now() + offsetMs),
    /** Moves the clock forward by `seconds`. */
    advance(seconds: number): void {
      offsetMs += seconds * 1000;
    },
  };
}
export type TestClock = ReturnType<typeof createTestClock>;

/** The SMS channel's test double: keeps each request (with its code) in memory. */
export function createRecordingSms(): SmsSender & {
  sent: SmsRequest[];
  lastCode(phone: string): string;
} {
  const sent: SmsRequest[] = [];
  return {
    sent,
    async send(request) {
      sent.push(request);
    },
    lastCode(phone) {
      const last = sent.filter((r) => r.phone === phone).at(-1);
      if (!last?.variables.code) throw new Error(`no code was sent to ${phone}`);
      return last.variables.code;
    },
  };
}
