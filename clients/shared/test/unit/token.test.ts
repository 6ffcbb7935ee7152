import { describe, expect, it } from 'vitest';
import { createTokenStore } from '../../src/token.ts';

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

describe('token store', () => {
  it('keeps the token with its expiry under its key', () => {
    const storage = new MemoryStorage();
    const store = createTokenStore(storage, 'portal.session', () =>
      Date.parse('2025-03-01T08:00:00Z'),
    );
    store.set('tok-1', '2025-03-01T10:00:00Z');
    expect(store.get()).toBe('tok-1');
    expect(JSON.parse(storage.getItem('portal.session')!)).toEqual({
      token: 'tok-1',
      expiresAt: '2025-03-01T10:00:00Z',
    });
  });

  it('drops an expired token instead of sending it', () => {
    const storage = new MemoryStorage();
    let now = Date.parse('2025-03-01T08:00:00Z');
    const store = createTokenStore(storage, 'k', () => now);
    store.set('tok-1', '2025-03-01T08:30:00Z');
    now = Date.parse('2025-03-01T08:30:00Z');
    expect(store.get()).toBeNull();
    expect(storage.getItem('k')).toBeNull();
  });

  it('reads a corrupt entry as logged out', () => {
    const storage = new MemoryStorage();
    storage.setItem('k', '{not json');
    expect(createTokenStore(storage, 'k').get()).toBeNull();
  });

  it('tells subscribers of login and logout', () => {
    const store = createTokenStore(new MemoryStorage(), 'k');
    const seen: (string | null)[] = [];
    const stop = store.subscribe((t) => seen.push(t));
    store.set('tok-2');
    store.clear();
    stop();
    store.set('tok-3');
    expect(seen).toEqual([null, 'tok-2', null]);
  });

  it('works in memory when there is no storage', () => {
    const store = createTokenStore(null, 'k');
    store.set('tok-4');
    expect(store.get()).toBe('tok-4');
  });
});
