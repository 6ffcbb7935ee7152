import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.svelte.ts';
import type { PageLoad } from './$types';

/** 案件与卷宗: the procuratorate's cases. */
export const load: PageLoad = async ({ depends }) => {
  depends('console:cases');
  const d = await api().query(
    graphql(`
      query ConsoleCases {
        viewer {
          prosecutor {
            id
            procuratorate {
              id
              cases(first: 100) {
                edges {
                  node {
                    id
                    caseName
                    departmentCaseNumber
                    stage
                    suspects
                    readingExclusion {
                      reason
                    }
                  }
                }
              }
            }
          }
        }
      }
    `),
  );
  return { cases: d.viewer?.prosecutor?.procuratorate.cases.edges.map((e) => e.node) ?? [] };
};
