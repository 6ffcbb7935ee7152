import { error } from '@sveltejs/kit';
import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';

/** 补充材料: the application the prosecutor asked materials for, with its note. */
export const load: PageLoad = async ({ params }) => {
  const d = await api().query(
    graphql(`
      query PortalBindingMaterials($id: ID!) {
        bindingApplication(id: $id) {
          id
          status
          materialsRequestNote
          caseSummary {
            id
            caseName
            departmentCaseNumber
            procuratorate {
              id
              name
            }
          }
          attachments {
            id
            kind
            fileName
          }
        }
      }
    `),
    { id: params.id },
  );
  if (!d.bindingApplication) error(404, '案件绑定申请不存在。');
  return { application: d.bindingApplication };
};
