import type { DomainEvent } from './types.ts';

/**
 * Shares one load among all subscriptions of a process that resolve the same event: with
 * thousands of subscribers, an event costs one database read, not one per subscriber. Only
 * for loads that do not depend on who subscribes (authorisation is the subscription filter's).
 * Usage: `const shared = perEvent<Doc>()`, then in `resolve`: `shared(event, () => load(...))`.
 */
export function perEvent<T>(
  ttlMs = 10_000,
): (event: DomainEvent, load: () => Promise<T>) => Promise<T> {
  const recent = new Map<string, { at: number; value: Promise<T> }>();
  return (event, load) => {
    const now = Date.now();
    const hit = recent.get(event.id);
    if (hit && now - hit.at < ttlMs) return hit.value;
    if (recent.size > 1000)
      for (const [id, v] of recent) if (now - v.at >= ttlMs) recent.delete(id);
    const value = load();
    recent.set(event.id, { at: now, value });
    value.catch(() => recent.delete(event.id));
    return value;
  };
}
