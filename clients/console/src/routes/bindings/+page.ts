import { bindingStatusLabels } from '@yuejuan/client-shared';
import { graphql, type EnumOf } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.svelte.ts';
import { statusParam } from '$lib/filters.ts';
import type { PageLoad } from './$types';

const statuses = Object.keys(bindingStatusLabels) as EnumOf<'BindingStatus'>[];

/** 案件绑定申请审核: the procuratorate's binding applications in one status (待审核 first). */
export const load: PageLoad = async ({ url, depends }) => {
  depends('console:bindings');
  const status = statusParam(url, statuses, 'SUBMITTED');
  const d = await api().query(
    graphql(`
      query ConsoleBindingQueue($status: BindingStatus) {
        bindingReviewQueue(status: $status, first: 50) {
          edges {
            node {
              id
              status
              lawyerRole
              clientName
              clientRelation
              suspectName
              submittedAt
              decisionReason
              materialsRequestNote
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
              attachments {
                id
                kind
                fileName
                sizeBytes
              }
            }
          }
        }
      }
    `),
    { status },
  );
  return { status, items: d.bindingReviewQueue.edges.map((e) => e.node) };
};
