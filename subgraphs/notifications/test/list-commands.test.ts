// Database commands per selection: a connection runs only the queries for the fields the client
// selected (FerretDB on SQLite scans the collection for every query that is not an `_id` lookup).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCommands } from '@yuejuan/runtime';
import { adminIdentity } from '@yuejuan/runtime/testing';
import { startNotifications, type Harness } from './harness.ts';
import { seedNotifications, zhangSan, zhangSanId } from './fixtures.ts';

const notifications = (selection: string) => /* GraphQL */ `
  query Notifications($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Lawyer { notifications(first: 5) { ${selection} } } }
  }
`;
const smsMessages = (selection: string) =>
  /* GraphQL */ `query Sms { smsMessages(first: 5) { ${selection} } }`;
const me = [{ __typename: 'Lawyer', id: zhangSanId }];

describe('notification list commands', () => {
  let h: Harness;
  let ids: string[];

  beforeAll(async () => {
    // No workers: their polling would land among the counted commands.
    h = await startNotifications('notifications_list_commands', {
      env: { NOTIFICATIONS_WORKERS: 'false' },
    });
    ids = await seedNotifications(h, zhangSanId, 'LAWYER', 8, 3); // 5 unread
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers { unreadCount } with one count and no find', async () => {
    const { result, commands } = await countCommands(h.db, () =>
      h.call(zhangSan, notifications('unreadCount'), { representations: me }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0].notifications).toEqual({ unreadCount: 5 });
    expect(commands).toEqual(['aggregate']); // countDocuments is an aggregate
  });

  it('answers edges and pageInfo with one shared find and no count', async () => {
    const { result, commands } = await countCommands(h.db, () =>
      h.call(zhangSan, notifications('edges { node { id } } pageInfo { hasNextPage endCursor }'), {
        representations: me,
      }),
    );
    expect(result.errors).toBeUndefined();
    const page = result.data._entities[0].notifications;
    expect(page.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(
      [...ids].reverse().slice(0, 5),
    );
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(commands).toEqual(['find']);
  });

  it('answers all three with one count and one find', async () => {
    const { result, commands } = await countCommands(h.db, () =>
      h.call(zhangSan, notifications('unreadCount pageInfo { endCursor } edges { cursor }'), {
        representations: me,
      }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0].notifications.unreadCount).toBe(5);
    expect(commands.sort()).toEqual(['aggregate', 'find']);
  });

  it('lists SMS messages with one find per store (queue and settled), counting nothing', async () => {
    await h.sms({
      to: { phone: '13800000009' },
      kind: 'LOGIN_CODE',
      variables: { code: '123456' },
      dedupeKey: 'list-commands-1',
    });
    const { result, commands } = await countCommands(h.db, () =>
      h.call(adminIdentity(), smsMessages('edges { node { id } } pageInfo { hasNextPage }')),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.smsMessages.edges).toHaveLength(1);
    expect(commands).toEqual(['find', 'find']);
    const none = await countCommands(h.db, () =>
      h.call(adminIdentity(), smsMessages('__typename')),
    );
    expect(none.result.data.smsMessages).toEqual({ __typename: 'SmsMessageConnection' });
    expect(none.commands).toEqual([]);
  });
});
