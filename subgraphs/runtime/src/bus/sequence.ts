import type { Db, Document, MongoClient } from 'mongodb';
import { untraced } from '@yuejuan/platform';
import { isDuplicateKey } from '../once.ts';
import { busLagSeconds } from '../metrics.ts';
import { databaseKind } from '../owned/kind.ts';
import { tailEvents, type TailOptions } from './tail.ts';
import { HEADS } from './wake.ts';

// The bus on FerretDB. FerretDB 1.24 answers a tailable cursor's every getMore that finds nothing
// new by reading the capped collection again from its first document (cursor.Reset), and a
// `$natural` sort or an `at`/`$or` filter by reading all of it too: at the collection's capped
// size (64 MiB, some 170,000 events) each read takes seconds, so events arrived seconds late or
// not at all. Instead, on FerretDB each event's `_id` is its number in the stream, claimed by
// the insert itself (a unique `_id`: of two publishers racing for a number one wins, the other
// takes the next), and a listener reads the numbers after the last one it saw with one
// `_id $in` (served by the `_id` index). MongoDB keeps its tailable cursor (tail.ts).

/** The `_id` of the event numbered `n`. */
export const seqId = (n: number): string => `ev${String(n).padStart(13, '0')}`;
/** The number of a sequenced event id, or undefined for any other id. */
export const seqOf = (id: unknown): number | undefined =>
  typeof id === 'string' && /^ev\d{13}$/.test(id) ? Number(id.slice(2)) : undefined;

const BATCH = 64;

/** Whether this client's bus numbers its events (FerretDB). */
export const sequenced = async (client: MongoClient): Promise<boolean> =>
  (await databaseKind(client)) === 'ferretdb';

/**
 * Stores events under the next free number: starts after the newest number the head document
 * names (or this process used) and takes the next one on a duplicate.
 */
export function createSequencer(db: Db, collection: string) {
  let next = 1; // this process's lower bound for the next free number
  const events = db.collection(collection);
  return {
    async insert(doc: Document): Promise<string> {
      // Each insert walks its own candidate: publishes of this process racing each other must
      // not advance a shared counter past a number nobody took (a hole every listener waits on).
      let n = Math.max(next, ((await newestNumber(db, collection)) ?? 0) + 1);
      for (;;) {
        const id = seqId(n);
        try {
          await events.insertOne({ ...doc, _id: id as never });
          next = Math.max(next, n + 1);
          return id;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          n++;
        }
      }
    },
  };
}

/** The newest event number the head document names (written after every publish). */
async function newestNumber(db: Db, collection: string): Promise<number | undefined> {
  const head = await db
    .collection<{ _id: string; id: string }>(HEADS)
    .findOne({ _id: collection }, { projection: { id: 1 } });
  return seqOf(head?.id);
}

/** The oldest event still kept (the capped collection drops the oldest), in natural order. */
async function oldestNumber(db: Db, collection: string): Promise<number | undefined> {
  // No filter and no sort: FerretDB pushes the limit down and reads one row.
  const [doc] = await db.collection(collection).find({}).limit(1).toArray();
  return seqOf(doc?._id);
}

/**
 * Follows the numbered events: after each wake (see wake.ts), reads the next BATCH numbers by
 * `_id`. A number missing before ones that exist is a publish not committed yet: the later
 * events are delivered, and the missing one is read again until it arrives or `windowMs` passes
 * (a publisher that died mid-insert leaves a number unused). Ids already delivered are skipped,
 * so nothing is delivered twice. Resumes after `after` (a durable consumer's checkpoint).
 */
export function tailSequenced(options: TailOptions): { stop(): Promise<void> } {
  const { db, collection, logger, waker } = options;
  let stopped = false;
  let interrupt = () => {};
  const stopping = new Promise<void>((r) => (interrupt = r));
  const seen = new Set<number>();
  const missingSince = new Map<number, number>();
  const events = db.collection(collection);

  const deliver = async (doc: Document) => {
    const at = doc.at instanceof Date ? doc.at : new Date(doc.at);
    if (at < options.since) return;
    busLagSeconds.observe(
      { topic: String(doc.topic) },
      Math.max(0, Date.now() - at.getTime()) / 1000,
    );
    await options.onEvent({
      id: String(doc._id),
      topic: doc.topic,
      at,
      payload: doc.payload ?? {},
      ...(typeof doc.traceparent === 'string' ? { traceparent: doc.traceparent } : {}),
    });
  };

  const loop = untraced(async () => {
    await options.ready?.catch((err) => logger.error({ err }, 'events collection unavailable'));
    let next = -1;
    let backoff = 100;
    options.onCursor?.(true);
    try {
      while (!stopped) {
        try {
          if (next < 0) {
            const resume = seqOf(options.after);
            next =
              resume !== undefined ? resume + 1 : ((await newestNumber(db, collection)) ?? 0) + 1;
          }
          const version = waker.version;
          const numbers = Array.from({ length: BATCH }, (_, i) => next + i);
          const docs = await events.find({ _id: { $in: numbers.map(seqId) as never[] } }).toArray();
          const byNumber = new Map(docs.map((d) => [seqOf(d._id)!, d]));
          const last = Math.max(next - 1, ...byNumber.keys());
          let advance = true;
          for (const n of numbers) {
            if (n > last) break;
            const doc = byNumber.get(n);
            if (doc) {
              missingSince.delete(n);
              if (!seen.has(n)) {
                // Marked seen only once handled: a handler that throws gets the event again.
                await deliver(doc);
                seen.add(n);
              }
            } else {
              const since = missingSince.get(n) ?? Date.now();
              missingSince.set(n, since);
              if (Date.now() - since < options.windowMs) advance = false;
            }
            if (advance) {
              next = n + 1;
              seen.delete(n);
              missingSince.delete(n);
            }
          }
          if (docs.length === 0 && ((await newestNumber(db, collection)) ?? 0) >= next) {
            // Nothing at the next numbers though newer ones were published: behind what the
            // capped collection kept (it drops the oldest), or only gaps; jump to the oldest kept.
            const oldest = await oldestNumber(db, collection);
            if (oldest !== undefined && oldest > next) next = oldest;
          }
          backoff = 100;
          if (byNumber.size === BATCH) continue; // more may be waiting behind a full batch
          // Wait for the next publish; while a number is missing, look again soon.
          const wait = missingSince.size ? 50 : 30_000;
          await Promise.race([waker.wait(version, wait), stopping]);
        } catch (err) {
          if (stopped) break;
          logger.warn(
            { err: (err as Error).message, retryInMs: backoff },
            'event stream unreadable; retrying',
          );
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 2000);
        }
      }
    } finally {
      options.onCursor?.(false);
    }
  });

  return {
    async stop() {
      stopped = true;
      interrupt();
      await loop;
    },
  };
}

/**
 * The tail for a client's server: numbered events on FerretDB, the tailable cursor on MongoDB.
 * Returns at once; the kind is asked first (once per client).
 */
export function tailFor(client: MongoClient): (options: TailOptions) => { stop(): Promise<void> } {
  return (options) => {
    const tail = sequenced(client).then(
      (yes) => (yes ? tailSequenced : tailEvents)(options),
      (err: unknown) => {
        options.logger.warn({ err: (err as Error).message }, 'database kind unknown; tailing');
        return tailEvents(options);
      },
    );
    return { stop: async () => (await tail).stop() };
  };
}
