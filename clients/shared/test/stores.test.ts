import { get } from 'svelte/store';
import { describe, expect, it } from 'vitest';
import { createCountdown, createFlash, liveValue } from '../src/stores.ts';

describe('countdown', () => {
  it('counts down once a second and stops at zero', () => {
    let tick: (() => void) | null = null;
    let cancelled = 0;
    const countdown = createCountdown(
      (fn) => {
        tick = fn;
        return 1;
      },
      () => {
        cancelled++;
      },
    );
    countdown.start(2.2);
    expect(get(countdown)).toBe(3);
    tick!();
    tick!();
    tick!();
    expect(get(countdown)).toBe(0);
    expect(cancelled).toBe(1);
  });
});

describe('flash', () => {
  it('shows the latest message and clears it', () => {
    const flash = createFlash();
    flash.show('success', '保存成功');
    expect(get(flash)).toEqual({ kind: 'success', text: '保存成功' });
    flash.clear();
    expect(get(flash)).toBeNull();
  });
});

describe('liveValue', () => {
  it('starts from the initial value, follows events and closes with the last reader', () => {
    let push: ((e: { status: string }) => void) | null = null;
    let closed = false;
    const status = liveValue(
      'SUBMITTED',
      (p) => {
        push = p;
        return () => {
          closed = true;
        };
      },
      (e: { status: string }) => e.status,
    );
    const seen: string[] = [];
    const stop = status.subscribe((s) => seen.push(s));
    push!({ status: 'APPROVED' });
    stop();
    expect(seen).toEqual(['SUBMITTED', 'APPROVED']);
    expect(closed).toBe(true);
  });
});
