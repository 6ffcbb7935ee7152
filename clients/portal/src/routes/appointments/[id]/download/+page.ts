import { error } from '@sveltejs/kit';
import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';

/** 卷宗下载: the appointment, its case and the package to download. */
export const load: PageLoad = async ({ params }) => {
  const d = await api().query(
    graphql(`
      query PortalAppointment($id: ID!) {
        appointment(id: $id) {
          id
          receiptAcknowledgedAt
          case {
            id
            caseName
            departmentCaseNumber
            procuratorate {
              id
              name
            }
          }
          package {
            id
            status
            fileName
            sizeBytes
            expiresAt
            lockedUntil
          }
        }
      }
    `),
    { id: params.id },
  );
  if (!d.appointment) error(404, '预约不存在。');
  return { appointment: d.appointment };
};
