import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';

export interface Fleet {
  /** Receive times (ms since epoch) per event id, one entry per subscriber that got it. */
  received: Map<string, number[]>;
  close(): Promise<void>;
}

/**
 * Opens `n` WebSocket clients (one socket each, as n browsers would), each with one
 * subscription; resolves once every subscription was sent and the first warm-up event (id
 * `warm`) reached all of them, so measuring starts with everyone listening.
 */
export async function openFleet(options: {
  url: string;
  n: number;
  query: string;
  authorization?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- benchmark JSON is read freely
  idOf: (data: any) => string;
  warm: () => Promise<void>;
  timeoutMs?: number;
}): Promise<Fleet> {
  const received = new Map<string, number[]>();
  const clients: Client[] = [];
  const disposers: (() => void)[] = [];
  const errors = new Map<string, number>();
  for (let i = 0; i < options.n; i++) {
    const client = createClient({
      url: options.url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
      connectionParams: options.authorization ? { authorization: options.authorization } : {},
    });
    clients.push(client);
    disposers.push(
      client.subscribe(
        { query: options.query },
        {
          next: (r) => {
            const at = Date.now();
            if (!r.data) return;
            const id = options.idOf(r.data);
            let list = received.get(id);
            if (!list) received.set(id, (list = []));
            list.push(at);
          },
          error: (err) => {
            const key =
              err instanceof Error
                ? err.message
                : String((err as { reason?: unknown })?.reason ?? err);
            errors.set(key, (errors.get(key) ?? 0) + 1);
          },
          complete: () => undefined,
        },
      ),
    );
    if (i % 200 === 199) await new Promise((r) => setTimeout(r, 20)); // let the server breathe while connecting
  }
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  // Warm up until one event reaches every subscriber (subscriptions are set up asynchronously).
  for (;;) {
    received.clear();
    await options.warm();
    const end = Date.now() + 3000;
    while (Date.now() < end && (received.get('warm')?.length ?? 0) < options.n)
      await new Promise((r) => setTimeout(r, 50));
    if ((received.get('warm')?.length ?? 0) >= options.n) break;
    if (Date.now() > deadline)
      throw new Error(
        `only ${received.get('warm')?.length ?? 0} of ${options.n} subscribers got the warm-up event; errors: ${JSON.stringify([...errors])}`,
      );
  }
  received.clear();
  return {
    received,
    async close() {
      disposers.forEach((d) => d());
      await Promise.all(clients.map((c) => c.dispose()));
    },
  };
}

/** Percentile of a sorted array. */
export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Resident memory of a process, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) * 1024;
}
