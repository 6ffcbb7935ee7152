// The portal's API, token and the page each login step leads to.
import { goto, invalidate, invalidateAll } from '$app/navigation';
import { navigating } from '$app/state';
import { createBrowserApp, createRefresh } from '@yuejuan/client-shared';

export const app = createBrowserApp(
  'yuejuan.portal.session',
  () => void goto('/login?expired=1'),
  // Back on the socket after a gateway restart: what changed meanwhile is read again.
  () => void invalidateAll(),
);
export const api = () => app.api();
/** Reads a page's data again (see createRefresh: never undoes a navigation under way). */
export const refresh = createRefresh({ goto, invalidate, navigating });

const returnKey = 'yuejuan.portal.returnTo';

/**
 * Keeps where a visitor without a session was going, for the pages an outside application
 * sends a lawyer to (授权确认 at /oauth/…): after the login they land there, not in 个人中心.
 */
export function rememberReturn(url: URL): void {
  if (url.pathname.startsWith('/oauth/'))
    sessionStorage.setItem(returnKey, `${url.pathname}${url.search}`);
}

function takeReturn(): string | null {
  const path = sessionStorage.getItem(returnKey);
  sessionStorage.removeItem(returnKey);
  return path?.startsWith('/oauth/') ? path : null;
}

/** The page after a login or a first-login step (flow 2): 授权信息, 完善信息 or 个人中心 (or the remembered 授权确认). */
export const nextPath = (step: string | null | undefined): string =>
  step === 'CONSENT'
    ? '/consent'
    : step === 'COMPLETE_PROFILE'
      ? '/profile'
      : (takeReturn() ?? '/center');

/** Pages anyone may open; every other page needs a session. */
export const publicPaths = [
  '/',
  '/login',
  '/login/scan',
  '/password/reset',
  '/register',
  '/dev/sms',
];
