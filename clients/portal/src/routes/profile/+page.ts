import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';
import { graphql } from '@yuejuan/client-shared/graphql';

/** 完善信息 starts from the phone the verifier bound (the only one it accepts). */
export const load: PageLoad = async () => {
  const data = await api().query(
    graphql(`
      query PortalProfilePhone {
        viewer {
          lawyer {
            phone
          }
        }
      }
    `),
  );
  return { boundPhone: (data.viewer?.lawyer?.phone as string | null | undefined) ?? '' };
};
