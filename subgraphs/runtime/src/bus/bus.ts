import type { Db, MongoClient } from 'mongodb';
import { newId } from '../ids.ts';
import { SpanKind, trace } from '@opentelemetry/api';
import { contextFromTraceparent, inSpan, traceparentOf, type Logger } from '@yuejuan/platform';
import { createSequencer, sequenced, tailFor } from './sequence.ts';
import { createWaker } from './wake.ts';
import { busGapsTotal } from '../metrics.ts';
import type {
  Checkpoint,
  DomainEvent,
  DurableConsumerOptions,
  EventBus,
  EventHandler,
} from './types.ts';

export interface EventBusOptions {
  client: MongoClient;
  /** The events database, shared by all subgraphs (default yuejuan_events). */
  dbName: string;
  logger: Logger;
  collection?: string;
  /** Capped size of the events collection (default 64 MiB). */
  sizeBytes?: number;
  /** Look-back of a reopened cursor (default 30 s). */
  windowMs?: number;
}

/** Every bus of this process, for the health endpoint's counts. */
const buses = new Set<EventBus>();

/** Listeners and open cursors of all buses in this process (a process that leaks them shows it). */
export function busStats(): { listeners: number; cursors: number } {
  let listeners = 0,
    cursors = 0;
  for (const b of buses) {
    const s = b.stats();
    listeners += s.listeners;
    cursors += s.cursors;
  }
  return { listeners, cursors };
}

/** What a span of the bus says about an event (OpenTelemetry's messaging conventions). */
const messagingAttributes = (topic: string, id: string) => ({
  'messaging.system': 'yuejuan.events',
  'messaging.destination.name': topic,
  'messaging.message.id': id,
});

/** The last events seen, for dedupe across a durable consumer's restart. */
const CHECKPOINTS = 'event_checkpoints';

/**
 * The domain event bus on MongoDB: publishers insert into a capped collection; each process
 * follows it with one tailable cursor (opened with the first listener, closed with the last)
 * and fans events out in-process by topic. Works on FerretDB and MongoDB alike.
 */
export function createEventBus(options: EventBusOptions): EventBus {
  const db: Db = options.client.db(options.dbName);
  const collection = options.collection ?? 'events';
  const windowMs = options.windowMs ?? 30_000;
  const logger = options.logger.child({ component: 'event-bus' });
  const listeners = new Map<EventHandler, Set<string>>();
  let cursors = 0;
  let live: { stop(): Promise<void> } | null = null;
  let ready: Promise<void> | null = null;
  const durables = new Set<{ stop(): Promise<void> }>();
  const waker = createWaker(db, collection, logger);
  // FerretDB: numbered events read by `_id` (sequence.ts); MongoDB: the tailable cursor.
  const tailEvents = tailFor(options.client);
  const sequencer = createSequencer(db, collection);

  const ensureCollection = () =>
    (ready ??= db
      .createCollection(collection, { capped: true, size: options.sizeBytes ?? 64 * 1024 * 1024 })
      .then(
        () => undefined,
        (err: { codeName?: string }) => {
          if (err.codeName !== 'NamespaceExists') {
            ready = null;
            throw err;
          }
        },
      ));

  const onCursor = (open: boolean) => {
    cursors += open ? 1 : -1;
  };

  function startLive() {
    live = tailEvents({
      // A listener hears what happens after it subscribes, nothing older (publishers' clocks
      // are assumed NTP-synchronised; a reopened cursor still looks back `windowMs`).
      db,
      collection,
      since: new Date(),
      windowMs,
      logger,
      onCursor,
      waker,
      ready: ensureCollection(),
      onEvent: async (event) => {
        for (const [handler, topics] of [...listeners]) {
          if (!topics.has(event.topic)) continue;
          try {
            await handler(event);
          } catch (err) {
            logger.error({ err, topic: event.topic }, 'event listener failed');
          }
        }
      },
    });
  }

  const bus: EventBus = {
    async publish(topic, payload) {
      await ensureCollection();
      const id = newId();
      return inSpan(
        `${topic} publish`,
        { kind: SpanKind.PRODUCER, attributes: messagingAttributes(topic, id) },
        async () => {
          // Stored with the event: its consumers' spans are children of this one.
          const traceparent = traceparentOf();
          const stored = { topic, at: new Date(), payload, ...(traceparent && { traceparent }) };
          let eventId = id;
          if (await sequenced(options.client)) {
            eventId = await sequencer.insert(stored);
            trace.getActiveSpan()?.setAttribute('messaging.message.id', eventId);
          } else await db.collection(collection).insertOne({ _id: id as never, ...stored });
          await waker.touch(eventId, stored.at);
          return { id: eventId, ...stored } as DomainEvent<typeof payload>;
        },
      );
    },

    subscribe(topics, handler) {
      listeners.set(handler, new Set(topics));
      if (!live) startLive();
      return () => {
        if (!listeners.delete(handler) || listeners.size > 0 || !live) return;
        const stopping = live;
        live = null;
        void stopping.stop();
      };
    },

    listen(topics, filter) {
      const queue: DomainEvent[] = [];
      let wake: ((r: IteratorResult<DomainEvent>) => void) | null = null;
      let done = false;
      const unsubscribe = bus.subscribe(topics, (event) => {
        if (filter && !filter(event)) return;
        if (wake) {
          const w = wake;
          wake = null;
          w({ value: event, done: false });
        } else queue.push(event);
      });
      const finish = async (): Promise<IteratorResult<DomainEvent>> => {
        if (!done) {
          done = true;
          unsubscribe();
          wake?.({ value: undefined, done: true });
          wake = null;
        }
        return { value: undefined, done: true };
      };
      return {
        next: () =>
          done
            ? finish()
            : queue.length
              ? Promise.resolve({ value: queue.shift()!, done: false })
              : new Promise((r) => {
                  wake = r;
                }),
        return: finish,
        throw: async (err) => {
          await finish();
          throw err;
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },

    consume(consumer: DurableConsumerOptions) {
      const checkpoints = db.collection<Checkpoint & { _id: string }>(CHECKPOINTS);
      const topics = new Set(consumer.topics);
      let tail: { stop(): Promise<void> } | null = null;
      let stopped = false;
      const started = (async () => {
        await ensureCollection();
        const saved = await checkpoints.findOne({ _id: consumer.name });
        const since = saved ? new Date(saved.lastAt.getTime() - windowMs) : new Date();
        if (saved) {
          const [oldest] = await db
            .collection(collection)
            .find({}, { projection: { at: 1 } })
            .limit(1)
            .toArray();
          if (!oldest || oldest.at > saved.lastAt) {
            const gap = {
              since: saved.lastAt,
              oldestKept: (oldest?.at as Date | undefined) ?? null,
            };
            logger.error(
              { consumer: consumer.name, ...gap },
              'events were overwritten before this consumer read them',
            );
            busGapsTotal.inc({ consumer: consumer.name });
            consumer.onGap?.(gap);
          }
        }
        if (stopped) return;
        tail = tailEvents({
          db,
          collection,
          since,
          windowMs,
          logger,
          onCursor,
          waker,
          after: saved?.lastId,
          onEvent: async (event) => {
            if (topics.has(event.topic))
              await inSpan(
                `${event.topic} process`,
                {
                  kind: SpanKind.CONSUMER,
                  parent: contextFromTraceparent(event.traceparent),
                  attributes: {
                    ...messagingAttributes(event.topic, event.id),
                    'messaging.consumer.group.name': consumer.name,
                  },
                },
                () => consumer.handler(event),
              );
            await checkpoints.updateOne(
              { _id: consumer.name },
              { $set: { lastId: event.id, lastAt: event.at } },
              { upsert: true },
            );
          },
        });
        durables.add(tail);
      })();
      return async () => {
        stopped = true;
        await started.catch(() => undefined);
        if (tail) {
          durables.delete(tail);
          await tail.stop();
        }
      };
    },

    stats: () => ({ listeners: listeners.size, cursors }),

    async close() {
      buses.delete(bus);
      waker.stop();
      listeners.clear();
      const stopping = live;
      live = null;
      await Promise.all([stopping?.stop(), ...[...durables].map((d) => d.stop())]);
      durables.clear();
    },
  };
  buses.add(bus);
  return bus;
}
