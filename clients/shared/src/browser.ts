// The one Api instance of a browser app, its token store and the WebSocket URL the app's
// server wrote into the page (<meta name="yuejuan-ws">, filled by hooks.server.ts).
import { createApi, type Api } from './client.ts';
import { ApiError, fallbackMessage } from './errors.ts';
import { createTokenStore, type TokenStore } from './token.ts';
import { builtPersistedOperations } from './persisted.ts';

/** What a login mutation answers (the token is shown once). */
export interface LoginAnswer {
  token: string | null;
  session: { expiresAt: string } | null;
}

/** What an app gets: the lazily made Api, its token, and logout. */
export interface BrowserApp {
  api(): Api;
  token: TokenStore;
  /** Keeps a login's new session token and reconnects the socket with it. */
  login(result: LoginAnswer): void;
  /** Forgets the token (the caller also calls the logout mutation when it can). */
  forget(): void;
}

/** The gateway WebSocket URL from the page, or the same host's port 4000 when the page has none. */
export function pageWsUrl(
  doc: Document | null = typeof document === 'undefined' ? null : document,
): string {
  const content = doc?.querySelector<HTMLMetaElement>('meta[name="yuejuan-ws"]')?.content;
  if (content && !content.includes('%')) return content;
  const host = typeof location === 'undefined' ? '127.0.0.1' : location.hostname;
  return `ws://${host}:4000/graphql`;
}

/**
 * The app's API over its own origin's `/graphql` (forwarded to the gateway by the app's
 * server) and the gateway's socket; the token in sessionStorage under `storageKey`.
 * `onReconnected`: the socket came back after it was lost (the page should read its data again).
 */
export function createBrowserApp(
  storageKey: string,
  onLoggedOut?: () => void,
  onReconnected?: () => void,
): BrowserApp {
  const storage = typeof sessionStorage === 'undefined' ? null : sessionStorage;
  const token = createTokenStore(storage, storageKey);
  let instance: Api | null = null;
  const forget = () => {
    token.clear();
    instance?.reconnect();
  };
  const api = () =>
    (instance ??= createApi({
      httpUrl: '/graphql',
      wsUrl: pageWsUrl(),
      getToken: () => token.get(),
      persisted: builtPersistedOperations(),
      // 'yuejuan.portal.session' → portal: the gateway counts operations per app.
      clientName: storageKey.split('.')[1],
      onReconnected,
      onUnauthenticated: () => {
        if (!token.get()) return;
        forget();
        onLoggedOut?.();
      },
    }));
  return {
    api,
    token,
    login(result) {
      // A login always carries both; without them there is no session to keep.
      if (!result.token || !result.session)
        throw new ApiError('INTERNAL_SERVER_ERROR', fallbackMessage);
      token.set(result.token, result.session.expiresAt);
      instance?.reconnect();
    },
    forget,
  };
}
