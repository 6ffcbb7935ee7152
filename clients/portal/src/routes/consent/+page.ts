import { redirect } from '@sveltejs/kit';
import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';

/** 授权信息: the consent text in force and the verified identity it covers. */
export const load: PageLoad = async () => {
  const d = await api().query(
    graphql(`
      query PortalConsent {
        currentConsentText {
          version
          items
          body
        }
        viewer {
          lawyer {
            id
            name
            idNumberMasked
            licenceNumber
            lawFirm
            phoneMasked
          }
        }
      }
    `),
  );
  if (!d.viewer?.lawyer) redirect(307, '/login');
  return { consent: d.currentConsentText, lawyer: d.viewer.lawyer };
};
