import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';
import { graphql } from '@yuejuan/client-shared/graphql';

/** 新建预约 starts from the lawyer's bound cases (only those can be booked). */
export const load: PageLoad = async ({ url }) => {
  const d = await api().query(
    graphql(`
      query PortalBookingCases {
        viewer {
          lawyer {
            id
            boundCases(first: 50) {
              edges {
                node {
                  id
                  caseName
                  departmentCaseNumber
                  procuratorate {
                    id
                    name
                  }
                }
              }
            }
          }
        }
      }
    `),
  );
  const cases = d.viewer?.lawyer?.boundCases.edges.map((e) => e.node) ?? [];
  return { cases, caseId: url.searchParams.get('case') };
};
