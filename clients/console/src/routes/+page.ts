import { graphql } from '@yuejuan/client-shared/graphql';
import { api, loadStaff, staff } from '$lib/app.svelte.ts';
import type { PageLoad } from './$types';

/** 工作台: how many applications wait in the procuratorate's queues (prosecutors only). */
export const load: PageLoad = async ({ depends }) => {
  depends('console:counts');
  const who = staff.current ?? (await loadStaff());
  if (who?.role !== 'PROSECUTOR') return { counts: null };
  const d = await api().query(
    graphql(`
      query ConsoleCounts {
        b: bindingReviewQueue(status: SUBMITTED, first: 1) {
          totalCount
        }
        r: readingReviewQueue(status: SUBMITTED, first: 1) {
          totalCount
        }
        a: readingReviewQueue(status: APPROVED, first: 1) {
          totalCount
        }
      }
    `),
  );
  return {
    counts: { bindings: d.b.totalCount, readings: d.r.totalCount, approved: d.a.totalCount },
  };
};
