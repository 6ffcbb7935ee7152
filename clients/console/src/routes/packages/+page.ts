import { graphql } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.svelte.ts';
import { PackageCard } from '$lib/documents.ts';
import type { PageLoad } from './$types';

/** 卷宗制作与下载审计: approved applications and their packages (approved, ready, downloaded). */
export const load: PageLoad = async ({ depends }) => {
  depends('console:packages');
  // One query per status: together in one operation they pass the gateway's cost limit.
  const pages = await Promise.all(
    (['APPROVED', 'FILE_READY', 'DOWNLOADED'] as const).map((status) =>
      api().query(
        graphql(
          `
            query ConsolePackages($status: ReadingStatus) {
              readingReviewQueue(status: $status, first: 20) {
                edges {
                  node {
                    id
                    status
                    lawyer {
                      id
                      name
                    }
                    case {
                      id
                      caseName
                      departmentCaseNumber
                    }
                    appointment {
                      id
                      package {
                        ...ConsolePackageCard
                      }
                    }
                  }
                }
              }
            }
          `,
          [PackageCard],
        ),
        { status },
      ),
    ),
  );
  return { items: pages.flatMap((d) => d.readingReviewQueue.edges.map((e) => e.node)) };
};
