// The queues' status filter lives in the address (?status=…), so a reload or a shared link
// shows the same queue; the page's load reads it, the select navigates.
import { goto } from '$app/navigation';

/** `?status=` when it names one of `allowed`, else `fallback`. */
export function statusParam<T extends string>(url: URL, allowed: readonly T[], fallback: T): T {
  const value = url.searchParams.get('status');
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** Shows the queue of `status` (the page's load runs again). */
export function showStatus(status: string): Promise<void> {
  const url = new URL(location.href);
  url.searchParams.set('status', status);
  return goto(url, { replaceState: true, keepFocus: true, noScroll: true });
}
