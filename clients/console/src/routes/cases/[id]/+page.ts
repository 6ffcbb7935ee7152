import { error } from '@sveltejs/kit';
import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.svelte.ts';
import type { PageLoad } from './$types';

/** One case with its volumes in order. */
export const load: PageLoad = async ({ params, depends }) => {
  depends('console:case');
  const d = await api().query(
    graphql(`
      query ConsoleCase($id: ID!) {
        case(id: $id) {
          id
          caseName
          departmentCaseNumber
          readingExclusion {
            category
            reason
          }
          volumes {
            id
            title
            position
            sizeBytes
            pageCount
            redactions
          }
        }
      }
    `),
    { id: params.id },
  );
  if (!d.case) error(404, '案件不存在。');
  return { case: d.case };
};
