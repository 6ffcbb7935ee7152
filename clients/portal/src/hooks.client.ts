import type { HandleClientError } from '@sveltejs/kit';
import { handleLoadError } from '@yuejuan/client-shared/hooks';

/** A page whose load failed shows the service's message on +error.svelte. */
export const handleError: HandleClientError = handleLoadError;
