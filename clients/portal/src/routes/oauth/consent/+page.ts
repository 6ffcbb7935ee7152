import { graphql } from '@yuejuan/client-shared/graphql';
import { toApiError } from '@yuejuan/client-shared';
import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';

/** 授权确认: what the application that sent the lawyer here asks for (by the request's uid). */
export const load: PageLoad = async ({ url }) => {
  const uid = url.searchParams.get('uid') ?? '';
  try {
    const d = await api().query(
      graphql(`
        query PortalOAuthConsent($uid: ID!) {
          oauthConsentRequest(uid: $uid) {
            uid
            applicationName
            organisation
            identity
            redirectOrigin
            needsVerification
            expiresAt
            scopes {
              name
              label
              description
              needsVerification
            }
          }
        }
      `),
      { uid },
    );
    return { request: d.oauthConsentRequest, error: null };
  } catch (err) {
    return { request: null, error: toApiError(err) };
  }
};
