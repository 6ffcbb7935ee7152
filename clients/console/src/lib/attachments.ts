// Opening an uploaded attachment: the route needs the bearer token, so it is fetched and
// shown from a blob rather than linked.
import { app } from './app.svelte.ts';

/** Opens attachment `id` in a new tab. */
export async function openAttachment(id: string): Promise<void> {
  const res = await fetch(`/downloads/attachments/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${app.token.get() ?? ''}` },
  });
  if (!res.ok) throw new Error(String(res.status));
  const url = URL.createObjectURL(await res.blob());
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
