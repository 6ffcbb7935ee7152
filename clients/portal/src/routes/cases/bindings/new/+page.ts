import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.ts';
import type { PageLoad } from './$types';

/** 申请绑定 starts from the procuratorates a case can be found in. */
export const load: PageLoad = async () => {
  const d = await api().query(
    graphql(`
      query PortalProcuratorates {
        procuratorates {
          id
          name
          province
        }
      }
    `),
  );
  return { procuratorates: d.procuratorates };
};
