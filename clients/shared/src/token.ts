// Where an app keeps its session token: sessionStorage by default, so it dies with the tab and
// is never sent anywhere by the browser on its own (no cookie: the token goes only into the
// Authorization header and the socket's connection_init).

type Listener = (token: string | null) => void;

interface Stored {
  token: string;
  /** ISO 8601; after it the token is dropped without asking the server. */
  expiresAt: string | null;
}

/** A Svelte-compatible store of the bearer token with its expiry. */
export interface TokenStore {
  get(): string | null;
  expiresAt(): string | null;
  set(token: string, expiresAt?: string | null): void;
  clear(): void;
  subscribe(listener: Listener): () => void;
}

/**
 * The token under `key` of `storage` (null storage: memory only, e.g. on the server). A token
 * past its expiry reads as null and is removed; a corrupt entry reads as null too.
 */
export function createTokenStore(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null,
  key: string,
  now: () => number = Date.now,
): TokenStore {
  let memory: Stored | null = null;
  const listeners = new Set<Listener>();

  const read = (): Stored | null => {
    if (!storage) return memory;
    try {
      const raw = storage.getItem(key);
      const parsed = raw ? (JSON.parse(raw) as Stored) : null;
      return parsed && typeof parsed.token === 'string' && parsed.token ? parsed : null;
    } catch {
      return null;
    }
  };
  const write = (value: Stored | null) => {
    memory = value;
    if (storage && value) storage.setItem(key, JSON.stringify(value));
    else if (storage) storage.removeItem(key);
    const token = value?.token ?? null;
    for (const l of listeners) l(token);
  };
  const current = (): Stored | null => {
    const stored = read();
    if (stored?.expiresAt && Date.parse(stored.expiresAt) <= now()) {
      write(null);
      return null;
    }
    return stored;
  };

  return {
    get: () => current()?.token ?? null,
    expiresAt: () => current()?.expiresAt ?? null,
    set: (token, expiresAt = null) => write({ token, expiresAt }),
    clear: () => write(null),
    subscribe(listener) {
      listeners.add(listener);
      listener(current()?.token ?? null);
      return () => listeners.delete(listener);
    },
  };
}
