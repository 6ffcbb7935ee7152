import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';

/** 授权管理: the applications the lawyer has authorised, newest first. */
export const load: PageLoad = async ({ depends }) => {
  depends('portal:authorizations');
  const d = await api().query(
    graphql(`
      query PortalAppAuthorizations {
        appAuthorizations {
          id
          applicationName
          organisation
          grantedAt
          expiresAt
          scopes {
            name
            label
          }
        }
      }
    `),
  );
  return { authorizations: d.appAuthorizations };
};
