// The resend countdown the apps' SMS-code buttons share (a `svelte/store`, read as `$countdown`).
import { writable } from 'svelte/store';

/**
 * Seconds left before another SMS code may be asked for: `start(n)` counts down to 0 once a
 * second. `now` and `schedule` are injectable for tests.
 */
export function createCountdown(
  schedule: (fn: () => void, ms: number) => ReturnType<typeof setInterval> = setInterval,
  cancel: (id: ReturnType<typeof setInterval>) => void = clearInterval,
) {
  const { subscribe, set } = writable(0);
  let timer: ReturnType<typeof setInterval> | null = null;
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
