import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';
import { graphql } from '@yuejuan/client-shared/graphql';

export type BoundCase = {
  id: string;
  caseName: string;
  departmentCaseNumber: string;
  procuratorate: { id: string; name: string };
};

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
  const cases: BoundCase[] = (d.viewer?.lawyer?.boundCases.edges ?? []).map(
    (e: { node: BoundCase }) => e.node,
  );
  return { cases, caseId: url.searchParams.get('case') };
};
