/** A domain event on the bus: small, keys not documents, never a secret. */
export interface DomainEvent<P extends Record<string, unknown> = Record<string, unknown>> {
  /** Unique id (also the dedupe key of anything made from the event, e.g. an SMS). */
  id: string;
  /** Dotted name, `<subgraph>.<entity>.<change>`, e.g. `cases.bindingApplication.changed`. */
  topic: string;
  /** When it was published. */
  at: Date;
  payload: P;
  /**
   * The W3C trace context of its publication (when traced): whoever handles the event
   * continues that trace, so an approval's trace reaches the messages it caused.
   */
  traceparent?: string;
}

export type EventHandler = (event: DomainEvent) => void | Promise<void>;

/** Where a durable consumer keeps its position between runs (its own collection). */
export interface Checkpoint {
  lastId: string;
  lastAt: Date;
}

export interface DurableConsumerOptions {
  /** Unique consumer name; its checkpoint is stored under this key. */
  name: string;
  topics: string[];
  /** Runs once per event (at least once across crashes: make its effect idempotent by event id). */
  handler: EventHandler;
  /** Called when events between the checkpoint and the oldest kept event were overwritten. */
  onGap?: (gap: { since: Date; oldestKept: Date | null }) => void;
}

export interface EventBus {
  /** Writes one event to the capped collection; every process's listeners see it. */
  publish<P extends Record<string, unknown>>(topic: string, payload: P): Promise<DomainEvent<P>>;
  /** In-process listener of events seen from now on (one tailing cursor per process, fanned out by topic). */
  subscribe(topics: string[], handler: EventHandler): () => void;
  /** An async iterator of events from now on, for GraphQL subscriptions; `return()` unsubscribes. */
  listen(
    topics: string[],
    filter?: (event: DomainEvent) => boolean,
  ): AsyncIterableIterator<DomainEvent>;
  /** A consumer that resumes after its checkpoint across restarts and reports gaps. */
  consume(options: DurableConsumerOptions): () => Promise<void>;
  /** Live listeners and open cursors (tests check nothing is left behind). */
  stats(): { listeners: number; cursors: number };
  close(): Promise<void>;
}
