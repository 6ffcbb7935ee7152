import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.svelte.ts';
import type { PageLoad } from './$types';

/** 在线阅卷试点开关: every procuratorate with its switch and reviewers. */
export const load: PageLoad = async ({ depends }) => {
  depends('console:procuratorates');
  const d = await api().query(
    graphql(`
      query ConsoleProcuratorates {
        procuratorates {
          id
          name
          province
          onlineReadingEnabled
          reviewers {
            id
            name
          }
        }
      }
    `),
  );
  return { list: d.procuratorates };
};
