import { readingStatusLabels } from '@yuejuan/client-shared';
import { graphql, type EnumOf } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.svelte.ts';
import { statusParam } from '$lib/filters.ts';
import type { PageLoad } from './$types';

const statuses = Object.keys(readingStatusLabels) as EnumOf<'ReadingStatus'>[];

/** 在线阅卷申请审核: the procuratorate's reading applications in one status (待审核 first). */
export const load: PageLoad = async ({ url, depends }) => {
  depends('console:readings');
  const status = statusParam(url, statuses, 'SUBMITTED');
  const d = await api().query(
    graphql(`
      query ConsoleReadingQueue($status: ReadingStatus) {
        readingReviewQueue(status: $status, first: 50) {
          edges {
            node {
              id
              status
              submittedAt
              decisionReason
              noticeAcceptance {
                version
                acceptedAt
              }
              lawyer {
                id
                name
                licenceNumber
                lawFirm
              }
              case {
                id
                caseName
                departmentCaseNumber
              }
            }
          }
        }
      }
    `),
    { status },
  );
  return { status, items: d.readingReviewQueue.edges.map((e) => e.node) };
};
