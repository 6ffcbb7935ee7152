// The resend countdown the apps' SMS-code buttons share: `countdown.left` is reactive state.

/**
 * Seconds left before another SMS code may be asked for: `start(n)` counts down to 0 once a
 * second. `schedule` and `cancel` are injectable for tests.
 */
export function createCountdown(
  schedule: (fn: () => void, ms: number) => ReturnType<typeof setInterval> = setInterval,
  cancel: (id: ReturnType<typeof setInterval>) => void = clearInterval,
) {
  let left = $state(0);
  let timer: ReturnType<typeof setInterval> | null = null;
  const stop = () => {
    if (timer !== null) cancel(timer);
    timer = null;
  };
  return {
    /** Seconds left; 0 when a code may be asked for. */
    get left() {
      return left;
    },
    start(seconds: number) {
      stop();
      left = Math.max(0, Math.ceil(seconds));
      if (left === 0) return;
      timer = schedule(() => {
        left -= 1;
        if (left <= 0) stop();
      }, 1000);
    },
    stop() {
      stop();
      left = 0;
    },
  };
}
