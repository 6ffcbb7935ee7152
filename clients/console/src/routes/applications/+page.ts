import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.svelte.ts';
import type { PageLoad } from './$types';

/** 接入应用管理 (administrators): the applications, the scopes to choose from, the procuratorates. */
export const load: PageLoad = async ({ depends }) => {
  depends('console:applications');
  const d = await api().query(
    graphql(`
      query ConsoleApplications {
        applications {
          id
          name
          organisation
          kind
          procuratorate {
            id
          }
          redirectUris
          scopes {
            name
            label
          }
          rateLimitPerMinute
          contactName
          contactPhone
          contactEmail
          status
          suspendedAt
          createdAt
          secrets {
            id
            createdAt
            expiresAt
          }
          changes {
            id
            kind
            actorId
            actorRole
            detail
            at
          }
        }
        oauthScopes {
          name
          label
          description
          kind
        }
        procuratorates {
          id
          name
        }
        webhookEndpointsDisabledBySystem {
          id
          applicationId
          url
          disabledAt
        }
      }
    `),
  );
  return {
    applications: d.applications,
    scopes: d.oauthScopes,
    procuratorates: d.procuratorates,
    disabledWebhooks: d.webhookEndpointsDisabledBySystem,
  };
};
