import type { Collection, Db } from 'mongodb';
import { untraced, type Logger } from '@yuejuan/platform';

/** The head document's collection: one document per events collection, rewritten on publish. */
export const HEADS = 'event_heads';

/** Tells a process's tailing cursors that something was published. */
export interface Waker {
  /** A number that grows each time the head document changes. */
  readonly version: number;
  /** Resolves once the version passes `seen`, or after `timeoutMs` (a lost head write only delays). */
  wait(seen: number, timeoutMs: number): Promise<void>;
  /** Marks a publish (written by `publish` after the event itself); never throws. */
  touch(eventId: string, at: Date): Promise<void>;
  stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One poller per process reads a single small document while someone waits: every `intervalMs`
 * while events flow, every `quietIntervalMs` after a quiet spell.
 * Why: FerretDB answers a tailable awaitData getMore by re-running the cursor's query every
 * 10 ms, and on its SQLite backend every run reads the whole capped collection, so an idle
 * cursor over 10,000 events cost a full CPU core. Reading one document is cheap; the cursor is
 * asked for more only when this says there is more. On MongoDB the same loop costs a point
 * read per interval.
 */
export function createWaker(
  db: Db,
  collection: string,
  logger: Logger,
  intervalMs = 10,
  quietIntervalMs = 100,
): Waker {
  const heads: Collection<{ _id: string; id: string; at: Date }> = db.collection(HEADS);
  let version = 0;
  let lastHead: string | undefined;
  let changedAt = 0;
  let waiters: (() => void)[] = [];
  let polling = false;
  let stopped = false;

  const poll = async () => {
    polling = true;
    let failures = 0;
    while (!stopped && waiters.length > 0) {
      try {
        const head = await heads.findOne({ _id: collection }, { projection: { id: 1 } });
        failures = 0;
        if (head && head.id !== lastHead) {
          lastHead = head.id; // the first read wakes too: one spare getMore, never a missed event
          changedAt = Date.now();
          wakeAll();
        }
      } catch (err) {
        // The cursor's own reconnect reports database outages; here a failure only slows waking.
        if (++failures === 1)
          logger.debug({ err: (err as Error).message }, 'event head unreadable');
      }
      // Every 10 ms while events flow, every 100 ms once nothing was published for 2 s: an
      // idle process then makes 10 point reads a second instead of 100 (the first event after
      // a quiet spell arrives up to 100 ms later).
      const quiet = Date.now() - changedAt > 2000;
      await sleep(
        failures
          ? Math.min(intervalMs * 2 ** failures, 1000)
          : quiet
            ? quietIntervalMs
            : intervalMs,
      );
    }
    polling = false;
  };
  const wakeAll = () => {
    version++;
    const ready = waiters;
    waiters = [];
    ready.forEach((w) => w());
  };

  return {
    get version() {
      return version;
    },
    wait(seen, timeoutMs) {
      if (version > seen || stopped) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== done);
          resolve();
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push(done);
        if (!polling) void untraced(poll);
      });
    },
    async touch(eventId, at) {
      await heads
        .updateOne({ _id: collection }, { $set: { id: eventId, at } }, { upsert: true })
        .catch((err: { code?: number; message?: string }) => {
          // Two first publishes racing to create the head: the other one's write wakes everyone.
          // Any other failure: the event is stored, so listeners still get it on their next
          // timed read (within a second); failing the publish would invite a duplicate event.
          if (err.code !== 11000)
            logger.warn(
              { err: err.message },
              'event head not updated; listeners will see the event late',
            );
        });
    },
    stop() {
      stopped = true;
      wakeAll();
    },
  };
}
