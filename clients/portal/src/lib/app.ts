// The portal's API, token and the page each login step leads to.
import { goto, invalidate } from '$app/navigation';
import { navigating } from '$app/state';
import { createBrowserApp, createRefresh } from '@yuejuan/client-shared';

export const app = createBrowserApp('yuejuan.portal.session', () => void goto('/login?expired=1'));
export const api = () => app.api();
/** Reads a page's data again (see createRefresh: never undoes a navigation under way). */
export const refresh = createRefresh({ goto, invalidate, navigating });

/** The page after a login or a first-login step (flow 2): 授权信息, 完善信息 or 个人中心. */
export const nextPath = (step: string | null | undefined): string =>
  step === 'CONSENT' ? '/consent' : step === 'COMPLETE_PROFILE' ? '/profile' : '/center';

/** Pages anyone may open; every other page needs a session. */
export const publicPaths = [
  '/',
  '/login',
  '/login/scan',
  '/password/reset',
  '/register',
  '/dev/sms',
];
