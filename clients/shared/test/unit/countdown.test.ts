import { describe, expect, it } from 'vitest';
import { createCountdown } from '../../src/countdown.svelte.ts';

describe('countdown', () => {
  it('counts down once a second and stops at zero', () => {
    let tick: (() => void) | null = null;
    let cancelled = 0;
    const countdown = createCountdown(
      (fn) => {
        tick = fn;
        return 1 as unknown as ReturnType<typeof setInterval>;
      },
      () => {
        cancelled++;
      },
    );
    countdown.start(2.2);
    expect(countdown.left).toBe(3);
    tick!();
    tick!();
    tick!();
    expect(countdown.left).toBe(0);
    expect(cancelled).toBe(1);
  });
});
