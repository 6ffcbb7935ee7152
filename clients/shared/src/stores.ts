// Small Svelte stores the apps share: a flash message, a resend countdown, and a live value
// fed by a subscription. Plain `svelte/store` so pages can use `$store`.
import { readable, writable, type Readable } from 'svelte/store';

/** A short message shown at the top of the page (role="status"), cleared by the next one. */
export interface Flash {
  kind: 'success' | 'info' | 'error';
  text: string;
}

/** The flash store; `show` replaces the message, `clear` removes it. */
export function createFlash() {
  const { subscribe, set } = writable<Flash | null>(null);
  return {
    subscribe,
    show: (kind: Flash['kind'], text: string) => set({ kind, text }),
    clear: () => set(null),
  };
}

/**
 * Seconds left before another SMS code may be asked for: `start(n)` counts down to 0 once a
 * second. `now` and `schedule` are injectable for tests.
 */
export function createCountdown(
  schedule: (fn: () => void, ms: number) => unknown = setInterval,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- GraphQL results are typed by hand in the pages until types are generated from the schema (issue 19.2)
  cancel: (id: any) => void = clearInterval,
) {
  const { subscribe, set } = writable(0);
  let timer: unknown = null;
  let left = 0;
  const stop = () => {
    if (timer !== null) cancel(timer);
    timer = null;
  };
  return {
    subscribe,
    start(seconds: number) {
      stop();
      left = Math.max(0, Math.ceil(seconds));
      set(left);
      if (left === 0) return;
      timer = schedule(() => {
        left -= 1;
        set(left);
        if (left <= 0) stop();
      }, 1000);
    },
    stop() {
      stop();
      set(0);
    },
  };
}

/**
 * A value kept current by a subscription: `initial` first, then each event mapped by `pick`.
 * The subscription opens with the first reader and closes with the last.
 */
export function liveValue<T, E>(
  initial: T,
  open: (push: (event: E) => void) => () => void,
  pick: (event: E, current: T) => T,
): Readable<T> {
  return readable(initial, (set) => {
    let current = initial;
    return open((event) => {
      current = pick(event, current);
      set(current);
    });
  });
}
