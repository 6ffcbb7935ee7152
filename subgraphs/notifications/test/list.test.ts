import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminIdentity, anonymous } from '@yuejuan/runtime/testing';
import { codes, startNotifications, type GraphQLResult, type Harness } from './harness.ts';
import {
  liSi,
  liSiId,
  newApplication,
  seedNotifications,
  wangId,
  wangSh,
  zhangSan,
  zhangSanId,
} from './fixtures.ts';

const notificationsOf = (type: 'Lawyer' | 'Prosecutor') => /* GraphQL */ `
  query Notifications($representations: [_Any!]!, $unreadOnly: Boolean, $first: Int, $after: String) {
    _entities(representations: $representations) {
      ... on ${type} {
        id
        notifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
          unreadCount
          pageInfo { hasNextPage endCursor }
          edges { cursor node { id kind title body createdAt readAt subjectId } }
        }
      }
    }
  }
`;
type Page = {
  unreadCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { id: string; readAt: string | null } }[];
};
type Answer = GraphQLResult<{ _entities: ({ id: string; notifications: Page } | null)[] }>;
const lawyer = (id: string) => [{ __typename: 'Lawyer', id }];

describe('notification lists', () => {
  let h: Harness;
  let zhangSans: string[];
  let wangs: string[];

  beforeAll(async () => {
    h = await startNotifications('notifications_list');
    zhangSans = await seedNotifications(h, zhangSanId, 'LAWYER', 12, 5); // 7 unread
    await seedNotifications(h, liSiId, 'LAWYER', 3);
    wangs = await seedNotifications(h, wangId, 'PROSECUTOR', 4, 1, newApplication);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("lists a lawyer's own notifications, newest first, with the unread count", async () => {
    const result: Answer = await h.call(zhangSan, notificationsOf('Lawyer'), {
      representations: lawyer(zhangSanId),
      first: 50,
    });
    expect(result.errors).toBeUndefined();
    const page = result.data!._entities[0]!.notifications;
    expect(page.unreadCount).toBe(7);
    expect(page.edges.map((e) => e.node.id)).toEqual([...zhangSans].reverse());
    expect(page.pageInfo.hasNextPage).toBe(false);
    const oldest = await h.models.Notification.findById(zhangSans[0]).lean().exec();
    expect(page.edges.at(-1)!.node).toEqual({
      id: zhangSans[0],
      kind: 'BINDING_APPROVED',
      title: '案件绑定申请已通过',
      body: '您的案件绑定申请已审核通过。',
      createdAt: oldest!.createdAt.toISOString(),
      readAt: '2025-01-01T00:00:00.000Z',
      subjectId: 'subject-0',
    });
  });

  it('lists unread notifications only', async () => {
    const result: Answer = await h.call(zhangSan, notificationsOf('Lawyer'), {
      representations: lawyer(zhangSanId),
      unreadOnly: true,
    });
    const page = result.data!._entities[0]!.notifications;
    expect(page.unreadCount).toBe(7);
    expect(page.edges.map((e) => e.node.id)).toEqual(zhangSans.slice(5).reverse());
    expect(page.edges.every((e) => e.node.readAt === null)).toBe(true);
  });

  it('pages with first/after: no item twice, none missing', async () => {
    for (const unreadOnly of [false, true]) {
      const ids: string[] = [];
      const sizes: number[] = [];
      let after: string | null = null;
      do {
        const result: Answer = await h.call(zhangSan, notificationsOf('Lawyer'), {
          representations: lawyer(zhangSanId),
          unreadOnly,
          first: 5,
          after,
        });
        expect(result.errors).toBeUndefined();
        const page: Page = result.data!._entities[0]!.notifications;
        sizes.push(page.edges.length);
        ids.push(...page.edges.map((e) => e.node.id));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(ids).toEqual((unreadOnly ? zhangSans.slice(5) : [...zhangSans]).reverse());
      expect(sizes).toEqual(unreadOnly ? [5, 2] : [5, 5, 2]);
    }
  });

  it("refuses another lawyer's notifications with FORBIDDEN", async () => {
    for (const identity of [liSi, wangSh, adminIdentity()]) {
      const result: Answer = await h.call(identity, notificationsOf('Lawyer'), {
        representations: lawyer(zhangSanId),
      });
      expect(result.data?._entities).toEqual([null]);
      expect(codes(result)).toEqual(['FORBIDDEN']);
    }
    expect(
      codes(
        await h.call(anonymous, notificationsOf('Lawyer'), { representations: lawyer(zhangSanId) }),
      ),
    ).toEqual(['UNAUTHENTICATED']);
  });

  it("lists a prosecutor's own notifications through the Prosecutor entity", async () => {
    const result: Answer = await h.call(wangSh, notificationsOf('Prosecutor'), {
      representations: [{ __typename: 'Prosecutor', id: wangId }],
    });
    expect(result.errors).toBeUndefined();
    const page = result.data!._entities[0]!.notifications;
    expect(page.unreadCount).toBe(3);
    expect(page.edges.map((e) => e.node.id)).toEqual([...wangs].reverse());
    expect(
      codes(
        await h.call(zhangSan, notificationsOf('Prosecutor'), {
          representations: [{ __typename: 'Prosecutor', id: wangId }],
        }),
      ),
    ).toEqual(['FORBIDDEN']);
  });

  it('refuses bad page sizes and cursors with BAD_USER_INPUT', async () => {
    for (const variables of [{ first: 0 }, { first: 500 }, { after: 'garbage!' }]) {
      expect(
        codes(
          await h.call(zhangSan, notificationsOf('Lawyer'), {
            representations: lawyer(zhangSanId),
            ...variables,
          }),
        ),
        JSON.stringify(variables),
      ).toEqual(['BAD_USER_INPUT']);
    }
  });
});
