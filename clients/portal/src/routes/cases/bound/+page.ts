import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import { ReadingRow } from '$lib/documents.ts';
import type { PageLoad } from './$types';

/** 已绑定案件: the lawyer's bound cases and reading applications. */
export const load: PageLoad = async ({ depends }) => {
  depends('portal:bound');
  const d = await api().query(
    graphql(
      `
        query PortalBound {
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
                      onlineReadingEnabled
                    }
                    readingExclusion {
                      reason
                    }
                  }
                }
              }
              readingApplications(first: 50) {
                edges {
                  node {
                    ...PortalReadingRow
                  }
                }
              }
            }
          }
        }
      `,
      [ReadingRow],
    ),
  );
  const lawyer = d.viewer?.lawyer;
  return {
    cases: lawyer?.boundCases.edges.map((e) => e.node) ?? [],
    readings: lawyer?.readingApplications.edges.map((e) => e.node) ?? [],
  };
};
