import { redirect } from '@sveltejs/kit';
import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';

/** 个人中心: the lawyer, this session and the verifier devices. */
export const load: PageLoad = async ({ depends }) => {
  depends('portal:center');
  const { viewer } = await api().query(
    graphql(`
      query PortalCenter {
        viewer {
          session {
            method
            identityVerified
            expiresAt
          }
          lawyer {
            id
            name
            licenceNumber
            idNumberMasked
            lawFirm
            phoneMasked
            hasPassword
            devices {
              id
              name
              activatedAt
              lastUsedAt
              revokedAt
            }
          }
        }
      }
    `),
  );
  if (!viewer?.lawyer) redirect(307, '/login');
  return { session: viewer.session, lawyer: viewer.lawyer };
};
