import { activatedDevice } from '$lib/app.ts';
import type { PageLoad } from './$types';

/** Only an activated device gets here; the others go to 激活. */
export const load: PageLoad = async () => ({ device: await activatedDevice() });
