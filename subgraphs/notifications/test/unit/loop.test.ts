import { describe, expect, it } from 'vitest';
import { createLogger } from '@yuejuan/runtime';
import { createLoop } from '../../src/workers/loop.ts';

describe('the background loop', () => {
  it('runs a pass scheduled with wakeAt only once that time has come, every time', async () => {
    // As the sender does after a failed attempt: the retry is due at `at`, the pass claims what
    // is due by Date.now(). A pass that ran early would find nothing and the loop would sleep
    // its idle minute; here every alarm must find its item due.
    let due: number | null = null;
    const early: number[] = [];
    const ran: (() => void)[] = [];
    const loop = createLoop(
      'test',
      async () => {
        if (due !== null && Date.now() < due) early.push(due - Date.now());
        ran.shift()?.();
        return 0;
      },
      60_000,
      createLogger('loop-test', 'silent'),
    );
    const started = new Promise<void>((r) => ran.push(r)); // the first pass, at start
    loop.start();
    try {
      await started;
      for (let i = 0; i < 200; i++) {
        const passed = new Promise<void>((r) => ran.push(r));
        due = Date.now() + 3 + (i % 7);
        loop.wakeAt(new Date(due));
        await passed;
      }
    } finally {
      await loop.stop();
    }
    expect(early).toEqual([]);
  });
});
