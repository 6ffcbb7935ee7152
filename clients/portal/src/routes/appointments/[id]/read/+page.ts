import { error } from '@sveltejs/kit';
import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';

/** 在线阅卷: the appointment, its case and whether its case file is ready to read. */
export const load: PageLoad = async ({ params }) => {
  const d = await api().query(
    graphql(`
      query PortalReadAppointment($id: ID!) {
        appointment(id: $id) {
          id
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
            expiresAt
          }
        }
      }
    `),
    { id: params.id },
  );
  if (!d.appointment) error(404, '预约不存在。');
  return { appointment: d.appointment };
};
