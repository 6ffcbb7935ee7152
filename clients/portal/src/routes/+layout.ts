import { redirect } from '@sveltejs/kit';
import { app, publicPaths, rememberReturn } from '$lib/app.ts';
import type { LayoutLoad } from './$types';

// The token lives in the browser (sessionStorage), so pages render there; the server only
// serves the shell and forwards the gateway's paths.
export const ssr = false;
export const prerender = false;

/**
 * Pages behind the login send a visitor without a session to 登录 before they load anything
 * (a page that queried without a session read `viewer: null` and threw).
 */
export const load: LayoutLoad = ({ url }) => {
  if (!publicPaths.includes(url.pathname) && !app.token.get()) {
    rememberReturn(url);
    redirect(307, '/login');
  }
};
