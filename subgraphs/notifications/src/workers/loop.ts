import type { Logger } from '@yuejuan/runtime';

/**
 * A background pass (it answers how much it did), run again at once while it finds work, early
 * when kicked (work queued in this process) or at a time scheduled with `wakeAt` (a retry
 * falling due), and otherwise only every `idleMs`, a safety poll for work other processes left
 * (queued by a process without workers, a dead sender's expired lease). An idle loop thus costs
 * the database almost nothing. A failing pass is logged and tried again at the next turn.
 */
export function createLoop(
  name: string,
  pass: () => Promise<number>,
  idleMs: number,
  logger: Logger,
) {
  let stopped = true;
  let running: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let kicked = false;
  let alarm: { at: number; timer: NodeJS.Timeout } | null = null;
  const sleep = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, idleMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const kick = () => {
    kicked = true;
    wake?.();
  };
  return {
    kick,
    /** Runs a pass at `at` (the earliest of the times asked for wins). */
    wakeAt(at: Date) {
      const t = at.getTime();
      if (alarm && alarm.at <= t) return;
      if (alarm) clearTimeout(alarm.timer);
      // A timer can fire a millisecond before Date.now() reaches `at` (Node times it on another
      // clock, about one time in twenty here): the pass would then find nothing due and the loop
      // sleep its whole idle time. So it runs only once `at` has passed, re-armed until then.
      const arm = (): NodeJS.Timeout => {
        const timer = setTimeout(
          () => {
            if (Date.now() < t) {
              alarm = { at: t, timer: arm() };
              return;
            }
            alarm = null;
            kick();
          },
          Math.max(0, t - Date.now()),
        );
        timer.unref();
        return timer;
      };
      alarm = { at: t, timer: arm() };
    },
    start() {
      if (!stopped) return;
      stopped = false;
      running = (async () => {
        while (!stopped) {
          kicked = false;
          let done = 0;
          try {
            done = await pass();
          } catch (err) {
            logger.warn({ loop: name, err: (err as Error).message }, 'background pass failed');
          }
          if (done === 0 && !kicked && !stopped) await sleep();
          wake = null;
        }
      })();
    },
    async stop() {
      stopped = true;
      if (alarm) {
        clearTimeout(alarm.timer);
        alarm = null;
      }
      wake?.();
      await running;
      running = null;
    },
  };
}
export type Loop = ReturnType<typeof createLoop>;
