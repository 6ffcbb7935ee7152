import { error } from '@sveltejs/kit';
import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.svelte.ts';
import type { PageLoad } from './$types';

/** 卷宗遮蔽: a volume of the case and its marks (ended ones too: the audit). */
export const load: PageLoad = async ({ params, depends }) => {
  depends('console:redactions');
  const d = await api().query(
    graphql(`
      query ConsoleVolumeRedactions($caseId: ID!, $volumeId: ID!) {
        case(id: $caseId) {
          id
          caseName
          departmentCaseNumber
          volumes {
            id
            title
            pageCount
          }
        }
        volumeRedactions(volumeId: $volumeId, includeRemoved: true) {
          id
          page
          category
          reason
          markedAt
          removedAt
          marker {
            id
            name
          }
          remover {
            id
            name
          }
          region {
            x
            y
            width
            height
          }
        }
      }
    `),
    { caseId: params.id, volumeId: params.volume },
  );
  const volume = d.case?.volumes.find((v) => v.id === params.volume);
  if (!d.case || !volume) error(404, '卷宗不存在。');
  return { case: d.case, volume, marks: d.volumeRedactions };
};
