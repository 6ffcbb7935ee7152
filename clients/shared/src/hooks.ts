// What the apps' hooks.client.ts share: errors thrown by a page's load reach +error.svelte with
// the service's Chinese message and code, never a stack or "Internal Error".
import { toApiError } from './errors.ts';

export function handleLoadError({ error }: { error: unknown }): { message: string; code: string } {
  const err = toApiError(error);
  return { message: err.message, code: err.code };
}
