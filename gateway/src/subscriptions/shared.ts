import type { ExecutionResult } from 'graphql';
import type { Identity } from '@yuejuan/platform';

/** What decides a subscription's results: who asks (not which session), what and with what. */
export function sharingKey(
  identity: Identity,
  operation: string,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): string {
  const who = (() => {
    switch (identity.role) {
      case 'LAWYER':
        return `L:${identity.lawyerId}:${identity.verified}`;
      case 'PROSECUTOR':
        return `P:${identity.prosecutorId}:${identity.procuratorateId}`;
      case 'ADMINISTRATOR':
        return `A:${identity.administratorId}`;
      case 'SERVICE':
        return `S:${identity.service}`;
      default:
        return 'anonymous';
    }
  })();
  return JSON.stringify([who, operationName ?? '', operation, variables]);
}

interface Shared {
  queues: Set<Queue>;
  source: AsyncIterator<ExecutionResult>;
}

class Queue {
  private items: ExecutionResult[] = [];
  private wake: ((r: IteratorResult<ExecutionResult>) => void) | null = null;
  ended = false;
  push(value: ExecutionResult) {
    if (this.wake) {
      const w = this.wake;
      this.wake = null;
      w({ value, done: false });
    } else this.items.push(value);
  }
  end() {
    this.ended = true;
    this.wake?.({ value: undefined, done: true });
    this.wake = null;
  }
  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((r) => {
      this.wake = r;
    });
  }
}

/**
 * Subscribers asking the same thing as the same person share one upstream subscription and one
 * execution per event, fanned out here: a thousand browsers of one prosecutor's console, or a
 * thousand open tabs, cost the subgraphs one subscription. Each subscriber leaving removes only
 * itself; the last one completes the upstream subscription.
 */
export function createSharing() {
  const shared = new Map<string, Shared>();

  async function open(
    key: string,
    start: () => Promise<AsyncIterator<ExecutionResult>>,
  ): Promise<AsyncIterableIterator<ExecutionResult>> {
    let entry = shared.get(key);
    if (!entry) {
      const created: Shared = { queues: new Set(), source: await start() };
      entry = shared.get(key) ?? created; // another subscriber may have raced us while starting
      if (entry === created) {
        shared.set(key, created);
        void (async () => {
          try {
            for (;;) {
              const r = await created.source.next();
              if (r.done) break;
              for (const q of created.queues) q.push(r.value);
            }
          } catch (err) {
            for (const q of created.queues) q.push({ errors: [err as never] });
          } finally {
            if (shared.get(key) === created) shared.delete(key);
            for (const q of created.queues) q.end();
          }
        })();
      } else {
        await created.source.return?.();
      }
    }
    const queue = new Queue();
    const current = entry;
    current.queues.add(queue);
    const leave = async (): Promise<IteratorResult<ExecutionResult>> => {
      if (
        current.queues.delete(queue) &&
        current.queues.size === 0 &&
        shared.get(key) === current
      ) {
        shared.delete(key);
        await current.source.return?.();
      }
      queue.end();
      return { value: undefined, done: true };
    };
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: () => queue.next(),
      return: leave,
      async throw(err) {
        await leave();
        throw err;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  return { open, stats: () => ({ shared: shared.size }) };
}
