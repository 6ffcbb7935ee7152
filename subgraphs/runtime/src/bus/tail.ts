import { Long, type Db, type Document } from 'mongodb';
import { untraced, type Logger } from '@yuejuan/platform';
import type { DomainEvent } from './types.ts';
import { busLagSeconds } from '../metrics.ts';
import type { Waker } from './wake.ts';

export interface TailOptions {
  db: Db;
  collection: string;
  /** No event published before this is read, however often the cursor reopens. */
  since: Date;
  /**
   * Resume point of a durable consumer: events up to this id (in the collection's natural,
   * insertion order) were handled in an earlier run and are skipped.
   */
  after?: string;
  /** How far back a reopened cursor looks, to catch events inserted late (clock skew, races). */
  windowMs: number;
  logger: Logger;
  onEvent: (event: DomainEvent) => void | Promise<void>;
  onCursor?: (open: boolean) => void;
  /** Resolves once the capped collection exists (a tailable cursor needs it). */
  ready?: Promise<void>;
  /** Says when there is something to read (see wake.ts). */
  waker: Waker;
}

const isZero = (id: unknown) =>
  id === 0 || (Long.isLong(id) && id.isZero()) || id === undefined || id === null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BATCH = 500;
/** Quiet time after publishing before the cursor is reopened to catch out-of-order commits. */
const SETTLE_MS = 1000;
/** Longest a cursor stays open while events keep flowing. */
const REOPEN_MS = 5000;

/**
 * Follows the capped events collection with a tailable cursor, driven by raw find/getMore
 * commands (the driver's cursor gives up early on FerretDB's int32 cursor ids), asking for more
 * when the waker says something was published. Not awaitData: FerretDB 1.24 serves an awaitData
 * getMore by re-running the query every 10 ms (a full read of the collection on SQLite each
 * time), and when its maxTimeMS ends between finding documents and returning them it answers an
 * empty batch with the cursor already past them (handler/msg_getmore.go, awaitData): lost events.
 * When the cursor dies (database restart, network cut, empty collection) it reopens from the
 * last event seen minus `windowMs` and skips ids already delivered: nothing lost, nothing twice.
 */
export function tailEvents(options: TailOptions): { stop(): Promise<void> } {
  const { db, collection, logger, waker } = options;
  let stopped = false;
  let lastAt = options.since;
  let cursorId: unknown = null;
  const seen = new Map<string, number>(); // id → at (ms), pruned to the window
  let backoff = 100;
  let skipping = options.after;
  let interrupt = () => {};
  const stopping = new Promise<void>((r) => {
    interrupt = r;
  });

  const deliver = async (docs: Document[], since: Date) => {
    for (const doc of docs) {
      const id = String(doc._id);
      if (skipping) {
        if (id === skipping) skipping = undefined;
        seen.set(id, 0);
        continue;
      }
      if (seen.has(id)) continue;
      const at = doc.at instanceof Date ? doc.at : new Date(doc.at);
      if (at < since) continue; // the anchor that keeps the cursor open, not an event to hear
      // Marked seen only once handled: a handler that throws gets the event again on reopen.
      busLagSeconds.observe(
        { topic: String(doc.topic) },
        Math.max(0, Date.now() - at.getTime()) / 1000,
      );
      await options.onEvent({
        id,
        topic: doc.topic,
        at,
        payload: doc.payload ?? {},
        ...(typeof doc.traceparent === 'string' ? { traceparent: doc.traceparent } : {}),
      });
      seen.set(id, at.getTime());
      if (at > lastAt) lastAt = at;
    }
    if (seen.size > 5000) {
      const floor = lastAt.getTime() - options.windowMs;
      for (const [id, t] of seen) if (t < floor) seen.delete(id);
    }
  };

  // Outside any trace: the listener that opened the cursor may have done so inside a request.
  const loop = untraced(async () => {
    await options.ready?.catch((err) => logger.error({ err }, 'events collection unavailable'));
    // A resume point that is no longer in the window (overwritten) cannot be skipped to.
    if (
      skipping &&
      !(await db
        .collection(collection)
        .findOne({ _id: skipping as never }, { projection: { _id: 1 } })
        .catch(() => null))
    )
      skipping = undefined;
    while (!stopped) {
      try {
        const since = new Date(
          Math.max(options.since.getTime(), lastAt.getTime() - options.windowMs),
        );
        // FerretDB closes a tailable cursor whose first batch is not full, which would turn
        // tailing into reopening: ask for one document, and make sure one matches (the newest
        // event, whatever its age, is the anchor; until the first publish there is none).
        const opened = waker.version;
        const anchor = await newestEventId(db, collection);
        const filter =
          anchor === undefined
            ? { at: { $gte: since } }
            : { $or: [{ _id: anchor }, { at: { $gte: since } }] };
        const first = await db.command({ find: collection, filter, tailable: true, batchSize: 1 });
        cursorId = first.cursor.id;
        options.onCursor?.(true);
        try {
          await deliver(first.cursor.firstBatch, since);
          backoff = 100;
          const openedAt = Date.now();
          let dirty = false; // something was published since this cursor opened
          while (!stopped && !isZero(cursorId)) {
            const seenVersion = waker.version;
            const more = await db.command({
              getMore: Long.fromValue(cursorId as number),
              collection,
              batchSize: BATCH,
            });
            cursorId = more.cursor.id;
            await deliver(more.cursor.nextBatch, since);
            if (more.cursor.nextBatch.length === BATCH) continue; // more may be waiting behind a full batch
            // FerretDB numbers a capped collection's documents before they commit, so two
            // concurrent publishes can commit out of order and the cursor, already past the
            // later number, never returns the earlier one. So once publishing has paused (or at
            // the latest after REOPEN_MS), the cursor is reopened with the look-back window and
            // the dedupe catches such an event. Idle, nothing is read; a lost head write (only
            // in an outage) delays an event until the next publish or at most 30 s.
            const woke = await Promise.race([
              waker
                .wait(seenVersion, dirty ? SETTLE_MS : 30_000)
                .then(() => waker.version > seenVersion),
              stopping.then(() => false),
            ]);
            if (woke) dirty = true;
            if (dirty && (!woke || Date.now() - openedAt > REOPEN_MS)) break;
          }
          if (!isZero(cursorId))
            await db
              .command({ killCursors: collection, cursors: [Long.fromValue(cursorId as number)] })
              .catch(() => undefined);
          cursorId = null;
        } finally {
          options.onCursor?.(false);
        }
        // An empty collection's cursor dies at once: wait for the first publish.
        if (!stopped)
          await (anchor === undefined
            ? Promise.race([waker.wait(opened, 1000), stopping])
            : sleep(10));
      } catch (err) {
        if (stopped) break;
        logger.warn(
          { err: (err as Error).message, retryInMs: backoff },
          'event cursor lost; reconnecting',
        );
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  });

  return {
    async stop() {
      stopped = true;
      interrupt();
      if (!isZero(cursorId))
        await db
          .command({ killCursors: collection, cursors: [Long.fromValue(cursorId as number)] })
          .catch(() => undefined);
      await loop;
    },
  };
}

/** The newest event's id in insertion order (undefined while the collection is empty). */
async function newestEventId(db: Db, collection: string): Promise<unknown> {
  const [doc] = await db
    .collection(collection)
    .find({}, { projection: { _id: 1 }, sort: { $natural: -1 }, limit: 1 })
    .toArray();
  return doc?._id;
}
