import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimOnce } from '../src/index.ts';
import { openTestDatabase } from '../src/testing/index.ts';

describe('claimOnce: decisions that must happen once', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    db = await openTestDatabase('once');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('gives exactly one winner among 50 concurrent claimants, on the real database', async () => {
    const claims = db.getClient().db(db.name).collection<{ _id: string; by: number }>('claims');
    for (let round = 0; round < 5; round++) {
      const key = `ticket-${round}`;
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, by) => claimOnce(claims, key, { by })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const stored = await claims.find({ _id: key }).toArray();
      expect(stored).toHaveLength(1);
      expect(results[stored[0]!.by]).toBe(true);
    }
  });

  it('lets different keys all win', async () => {
    const claims = db.getClient().db(db.name).collection<{ _id: string }>('claims2');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => claimOnce(claims, `k${i}`)),
    );
    expect(results.every(Boolean)).toBe(true);
  });
});
