import { Long, type Db, type Document } from 'mongodb';
import type { Logger } from '../logger.ts';
import type { DomainEvent } from './types.ts';

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
}

const isZero = (id: unknown) => id === 0 || (Long.isLong(id) && id.isZero()) || id === undefined || id === null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follows the capped events collection with a tailable, awaitData cursor, driven by raw
 * find/getMore commands (the driver's cursor gives up early on FerretDB's int32 cursor ids).
 * When the cursor dies (database restart, network cut, empty collection) it reopens from the
 * last event seen minus `windowMs` and skips ids already delivered: nothing lost, nothing twice.
 */
export function tailEvents(options: TailOptions): { stop(): Promise<void> } {
  const { db, collection, logger } = options;
  let stopped = false;
  let lastAt = options.since;
  let cursorId: unknown = null;
  const seen = new Map<string, number>(); // id → at (ms), pruned to the window
  let backoff = 100;
  let skipping = options.after;

  const deliver = async (docs: Document[]) => {
    for (const doc of docs) {
      const id = String(doc._id);
      if (skipping) {
        if (id === skipping) skipping = undefined;
        seen.set(id, 0);
        continue;
      }
      if (seen.has(id)) continue;
      const at = doc.at instanceof Date ? doc.at : new Date(doc.at);
      // Marked seen only once handled: a handler that throws gets the event again on reopen.
      await options.onEvent({ id, topic: doc.topic, at, payload: doc.payload ?? {} });
      seen.set(id, at.getTime());
      if (at > lastAt) lastAt = at;
    }
    if (seen.size > 5000) {
      const floor = lastAt.getTime() - options.windowMs;
      for (const [id, t] of seen) if (t < floor) seen.delete(id);
    }
  };

  const loop = (async () => {
    await options.ready?.catch((err) => logger.error({ err }, 'events collection unavailable'));
    // A resume point that is no longer in the window (overwritten) cannot be skipped to.
    if (skipping && !(await db.collection(collection).findOne({ _id: skipping as never }, { projection: { _id: 1 } }).catch(() => null))) skipping = undefined;
    while (!stopped) {
      try {
        const since = new Date(Math.max(options.since.getTime(), lastAt.getTime() - options.windowMs));
        const first = await db.command({ find: collection, filter: { at: { $gte: since } }, tailable: true, awaitData: true, batchSize: 500 });
        cursorId = first.cursor.id;
        options.onCursor?.(true);
        try {
          await deliver(first.cursor.firstBatch);
          backoff = 100;
          while (!stopped && !isZero(cursorId)) {
            const more = await db.command({ getMore: Long.fromValue(cursorId as number), collection, maxTimeMS: 1000, batchSize: 500 });
            cursorId = more.cursor.id;
            await deliver(more.cursor.nextBatch);
          }
        } finally {
          options.onCursor?.(false);
        }
        if (!stopped) await sleep(100); // an empty collection's cursor dies at once on MongoDB
      } catch (err) {
        if (stopped) break;
        logger.warn({ err: (err as Error).message, retryInMs: backoff }, 'event cursor lost; reconnecting');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 2000);
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      if (!isZero(cursorId)) await db.command({ killCursors: collection, cursors: [Long.fromValue(cursorId as number)] }).catch(() => undefined);
      await loop;
    },
  };
}
