// What the province benchmark measures, through the real gateway and subgraphs with the
// operations the clients send (by hash, from the clients' persisted-operations manifest).
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { percentile, round } from '../lib/stats.ts';
import { clientManifest } from './stack.ts';

/** The client operations by name, from the manifest the client builds ship. */
export function clientOperations(): Map<string, { hash: string; text: string }> {
  const manifest = JSON.parse(readFileSync(clientManifest(), 'utf8')) as Record<string, string>;
  const byName = new Map<string, { hash: string; text: string }>();
  for (const [hash, text] of Object.entries(manifest)) {
    const name = /^(?:query|mutation|subscription)\s+(\w+)/.exec(text)?.[1];
    if (name) byName.set(name, { hash, text });
  }
  return byName;
}

export interface Sample {
  ms: number;
  timedOut: boolean;
  error?: string;
}

/** One operation by hash over HTTP, as the portal and console send it in production. */
export async function runOperation(
  url: string,
  token: string,
  hash: string,
  variables: Record<string, unknown>,
  limitMs: number,
  client: string,
): Promise<Sample> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'apollographql-client-name': client,
      },
      body: JSON.stringify({ documentId: `sha256:${hash}`, variables }),
      signal: AbortSignal.timeout(limitMs),
    });
    const body = (await res.json()) as {
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    const ms = performance.now() - started;
    if (body.errors?.length)
      return {
        ms,
        timedOut: false,
        error: `${body.errors[0]!.extensions?.code ?? ''} ${body.errors[0]!.message}`.trim(),
      };
    return { ms, timedOut: false };
  } catch (err) {
    const ms = performance.now() - started;
    const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
    return { ms, timedOut, error: timedOut ? undefined : (err as Error).message };
  }
}

export interface Figure {
  status: 'ok' | 'timed out' | 'not measured';
  samples: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
  timeouts: number;
  errors: number;
  firstError?: string;
  /** Why it was not measured or stopped early. */
  note?: string;
}

/**
 * Takes `n` samples of `once` one after the other (no queueing). Three time-outs in a row stop
 * it: the size is then past what the backend answers in time, and that is the result.
 */
export async function sampleSeries(
  n: number,
  limitMs: number,
  once: (i: number) => Promise<Sample>,
): Promise<Figure> {
  const times: number[] = [];
  let timeouts = 0;
  let streak = 0;
  let errors = 0;
  let firstError: string | undefined;
  for (let i = 0; i < n; i++) {
    const s = await once(i);
    if (s.timedOut) {
      timeouts++;
      streak++;
      times.push(limitMs);
      if (streak >= 3)
        return {
          ...summarise(times, timeouts, errors, firstError),
          status: 'timed out',
          note: `3 requests in a row exceeded ${limitMs} ms; stopped after ${i + 1}`,
        };
      continue;
    }
    streak = 0;
    if (s.error) {
      errors++;
      firstError ??= s.error;
    }
    times.push(s.ms);
  }
  return { ...summarise(times, timeouts, errors, firstError), status: 'ok' };
}

function summarise(times: number[], timeouts: number, errors: number, firstError?: string) {
  return {
    samples: times.length,
    p50: times.length ? round(percentile(times, 50), 1) : null,
    p95: times.length ? round(percentile(times, 95), 1) : null,
    max: times.length ? round(Math.max(...times), 1) : null,
    timeouts,
    errors,
    ...(firstError && { firstError }),
  };
}

export const notMeasured = (note: string): Figure => ({
  status: 'not measured',
  samples: 0,
  p50: null,
  p95: null,
  max: null,
  timeouts: 0,
  errors: 0,
  note,
});

/**
 * A lawyer's subscription (PortalBindingChanged over graphql-ws through the gateway), to time
 * publishing an event on the bus until the client has it, resolved fields and all.
 */
export async function openSubscription(o: {
  wsUrl: string;
  token: string;
  query: string;
}): Promise<{
  /** Resolves with the time (performance.now) the next event arrives, or null after `limitMs`. */
  next(limitMs: number): Promise<number | null>;
  errors: string[];
  close(): Promise<void>;
}> {
  let waiter: ((at: number) => void) | null = null;
  const errors: string[] = [];
  const client = createClient({
    url: o.wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: (err) => errors.push(String(err)),
    connectionParams: { authorization: `Bearer ${o.token}` },
  });
  const dispose = client.subscribe(
    { query: o.query },
    {
      next: (r) => {
        const at = performance.now();
        if (r.errors?.length) errors.push(r.errors[0]!.message);
        const w = waiter;
        waiter = null;
        w?.(at);
      },
      error: (err) => errors.push(err instanceof Error ? err.message : JSON.stringify(err)),
      complete: () => undefined,
    },
  );
  return {
    errors,
    next(limitMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiter = null;
          resolve(null);
        }, limitMs);
        waiter = (at) => {
          clearTimeout(timer);
          resolve(at);
        };
      });
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
}
