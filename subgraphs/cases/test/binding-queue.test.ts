import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { codes, startCases, type Harness } from './harness.ts';
import {
  admin,
  guangdong,
  seedApplications,
  seedCases,
  seedProcuratorates,
  shanghai,
  wangSh,
  zhangSan,
  zhangSanId,
  zhaoGd,
} from './fixtures.ts';

const queue = /* GraphQL */ `
  query Queue($status: BindingStatus, $first: Int, $after: String) {
    bindingReviewQueue(status: $status, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          status
          lawyer {
            id
          }
          case {
            id
            procuratorate {
              id
            }
          }
        }
      }
    }
  }
`;
type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { id: string; status: string; case: { procuratorate: { id: string } } } }[];
};

describe('binding review queue', () => {
  let h: Harness;
  let shanghaiSubmitted: string[];

  beforeAll(async () => {
    h = await startCases('cases_queue');
    await seedProcuratorates(h);
    const shCases = await seedCases(h, shanghai.id, 12, '沪检刑诉');
    const gdCases = await seedCases(h, guangdong.id, 3, '粤检刑诉');
    // Shanghai: every fourth approved, the others submitted (9 submitted, 3 approved).
    const shApps = await seedApplications(h, zhangSanId, shCases, (i) =>
      i % 4 === 0 ? 'APPROVED' : 'SUBMITTED',
    );
    await seedApplications(h, zhangSanId, gdCases, () => 'SUBMITTED');
    shanghaiSubmitted = shApps.filter((_, i) => i % 4 !== 0).reverse(); // newest first
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('shows a prosecutor only their own procuratorate, newest first', async () => {
    const result = await h.call<{ bindingReviewQueue: Page }>(wangSh, queue, { first: 50 });
    expect(result.errors).toBeUndefined();
    const page = result.data!.bindingReviewQueue;
    expect(page.totalCount).toBe(9);
    expect(page.edges.map((e) => e.node.id)).toEqual(shanghaiSubmitted);
    expect(
      page.edges.every(
        (e) => e.node.status === 'SUBMITTED' && e.node.case.procuratorate.id === shanghai.id,
      ),
    ).toBe(true);
    expect(page.pageInfo.hasNextPage).toBe(false);

    const gd = await h.call<{ bindingReviewQueue: Page }>(zhaoGd, queue, { first: 50 });
    expect(gd.data!.bindingReviewQueue.totalCount).toBe(3);
    expect(
      gd.data!.bindingReviewQueue.edges.every((e) => e.node.case.procuratorate.id === guangdong.id),
    ).toBe(true);
  });

  it('filters by status', async () => {
    const result = await h.call<{ bindingReviewQueue: Page }>(wangSh, queue, {
      status: 'APPROVED',
    });
    expect(result.data!.bindingReviewQueue.totalCount).toBe(3);
    expect(result.data!.bindingReviewQueue.edges.map((e) => e.node.status)).toEqual([
      'APPROVED',
      'APPROVED',
      'APPROVED',
    ]);
    expect(
      (await h.call<{ bindingReviewQueue: Page }>(wangSh, queue, { status: 'WITHDRAWN' })).data!
        .bindingReviewQueue,
    ).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it('pages with first/after until the end: no item twice, none missing', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const pages: Page[] = [];
    do {
      const result: { data?: { bindingReviewQueue: Page } | null } = await h.call<{
        bindingReviewQueue: Page;
      }>(wangSh, queue, { first: 4, after });
      const page = result.data!.bindingReviewQueue;
      pages.push(page);
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(pages.map((p) => p.edges.length)).toEqual([4, 4, 1]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.every((p) => p.totalCount === 9)).toBe(true);
    expect(seen).toEqual(shanghaiSubmitted);
  });

  it('is for prosecutors only', async () => {
    for (const identity of [zhangSan, admin]) {
      const result = await h.call(identity, queue, {});
      expect(result.data).toBeNull();
      expect(codes(result)).toEqual(['FORBIDDEN']);
    }
    expect(codes(await h.call(anonymous, queue, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses page sizes outside 1..100 and garbage cursors with BAD_USER_INPUT', async () => {
    for (const variables of [
      { first: 0 },
      { first: 500 },
      { first: -1 },
      { after: 'not a cursor!' },
      { after: '%%%' },
    ]) {
      const result = await h.call(wangSh, queue, variables);
      expect(codes(result), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
    }
  });
});
