/**
 * In-process timers that fire once at a ticket's or challenge's expiry, so its EXPIRED change
 * is published even when nobody acts on it. The callback decides (by a claimed marker) whether
 * this process publishes; timers do not keep the process alive and end with `dispose()`.
 */
export function createExpiryTimers(now: () => Date) {
  const timers = new Map<string, NodeJS.Timeout>();
  let disposed = false;
  return {
    /** Runs `fire` shortly after `at`, once per key per process. */
    watch(key: string, at: Date, fire: () => Promise<void>): void {
      if (disposed || timers.has(key)) return;
      const delay = Math.min(Math.max(0, at.getTime() - now().getTime()) + 50, 2 ** 31 - 1);
      const timer = setTimeout(() => {
        timers.delete(key);
        void fire().catch(() => undefined);
      }, delay);
      timer.unref();
      timers.set(key, timer);
    },
    dispose(): void {
      disposed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
