// The per-application limiter's rules without a stack: each instance's share of a limit over
// the gateway replicas, a refusal with the seconds until the window ends, keys per application,
// and the metrics label of an application bounded in number.
import { describe, expect, it } from 'vitest';
import { appLabel, createAppLimits, instanceShare, maxAppLabels } from '../../src/app-limits.ts';

const app = (clientId: string, rateLimitPerMinute: number) => ({
  clientId,
  rateLimitPerMinute,
  operationsOnly: null,
  operationsRevision: '',
});

describe('per-application limits', () => {
  it('splits a limit over the replicas, rounding up, never below one', () => {
    expect(instanceShare(600, 2)).toBe(300);
    expect(instanceShare(5, 2)).toBe(3);
    expect(instanceShare(1, 2)).toBe(1);
    expect(instanceShare(100, 1)).toBe(100);
  });

  it('refuses over the share with Retry-After seconds, per application', async () => {
    const limits = createAppLimits({ replicas: 2, windowMs: 60_000 });
    const a = app('yj_limit_a', 4); // 2 per instance
    expect(await limits.take(a, 'http')).toBeNull();
    expect(await limits.take(a, 'ws')).toBeNull();
    const refused = await limits.take(a, 'file');
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(refused!.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(refused!.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(refused!.extensions).toEqual({
      rateLimit: 'application',
      retryAfterSeconds: refused!.retryAfterSeconds,
    });
    expect(await limits.take(app('yj_limit_b', 4), 'http')).toBeNull();
  });

  it('labels applications by client id up to a bound, then as app:other', () => {
    expect(appLabel('yj_label_1')).toBe('app:yj_label_1');
    expect(appLabel('not a client id!')).toBe('app:other');
    for (let i = 0; i < maxAppLabels + 5; i++) appLabel(`yj_many_${i}`);
    expect(appLabel('yj_label_late')).toBe('app:other');
    expect(appLabel('yj_label_1')).toBe('app:yj_label_1');
  });
});
