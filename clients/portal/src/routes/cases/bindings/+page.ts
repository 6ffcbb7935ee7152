import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import { BindingRow } from '$lib/documents.ts';
import type { PageLoad } from './$types';

/** 案件绑定申请: the lawyer's binding applications, newest first. */
export const load: PageLoad = async () => {
  const d = await api().query(
    graphql(
      `
        query PortalBindings {
          viewer {
            lawyer {
              id
              bindingApplications(first: 50) {
                edges {
                  node {
                    ...PortalBindingRow
                  }
                }
              }
            }
          }
        }
      `,
      [BindingRow],
    ),
  );
  return { applications: d.viewer?.lawyer?.bindingApplications.edges.map((e) => e.node) ?? [] };
};
