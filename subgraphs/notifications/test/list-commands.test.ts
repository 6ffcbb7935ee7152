// Database commands per selection: a connection runs only the queries for the fields the client
// selected (FerretDB scans the collection for every query that is not an `_id` lookup, so there
// the lists come from the recipient's id sets: see runtime ownedIndex).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from 'mongodb';
import { countCommands, databaseKind } from '@yuejuan/runtime';
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

  /**
   * The commands of one call, with the collection each one read and whether its filter was an
   * `_id` lookup (the only kind FerretDB answers from an index).
   */
  async function recorded<R>(fn: () => Promise<R>) {
    const seen: { collection: string; byId: boolean }[] = [];
    const listener = (e: { databaseName: string; commandName: string; command: Document }) => {
      if (e.databaseName !== h.db.name || !['find', 'aggregate'].includes(e.commandName)) return;
      const c = e.command;
      const filter = (c.filter ?? c.pipeline?.[0]?.$match ?? {}) as Document;
      seen.push({
        collection: String(c[e.commandName]),
        byId: Object.keys(filter).includes('_id'),
      });
    };
    h.db.getClient().on('commandStarted', listener);
    try {
      return { result: await fn(), seen };
    } finally {
      h.db.getClient().off('commandStarted', listener);
    }
  }
  const collections = (seen: { collection: string }[]) =>
    [...new Set(seen.map((c) => c.collection))].sort();

  // MongoDB answers from the notifications' indexes: one count, one find. FerretDB reads the
  // recipient's id sets and the documents, every read by `_id`, and only the sets the selection
  // needs: the unread set for the count, the list set for the page.
  it('answers { unreadCount } from the unread notifications only', async () => {
    const ferret = (await databaseKind(h.db.getClient())) === 'ferretdb';
    const { result, seen } = await recorded(() =>
      h.call(zhangSan, notifications('unreadCount'), { representations: me }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0].notifications).toEqual({ unreadCount: 5 });
    if (!ferret) expect(seen.map((c) => c.collection)).toEqual(['notifications']);
    else {
      expect(collections(seen)).toEqual(['notifications', 'recipient_unread']);
      expect(seen.every((c) => c.byId)).toBe(true);
    }
  });

  it('answers edges and pageInfo with one page and no count', async () => {
    const ferret = (await databaseKind(h.db.getClient())) === 'ferretdb';
    const { result, seen } = await recorded(() =>
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
    if (!ferret) expect(seen.map((c) => c.collection)).toEqual(['notifications']);
    else {
      expect(collections(seen)).toEqual(['notifications', 'recipient_notifications']);
      expect(seen.filter((c) => c.collection === 'notifications')).toHaveLength(1);
      expect(seen.every((c) => c.byId)).toBe(true);
    }
  });

  it('answers all three with one count and one page', async () => {
    const ferret = (await databaseKind(h.db.getClient())) === 'ferretdb';
    const { result, seen } = await recorded(() =>
      h.call(zhangSan, notifications('unreadCount pageInfo { endCursor } edges { cursor }'), {
        representations: me,
      }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0].notifications.unreadCount).toBe(5);
    if (!ferret) expect(seen).toHaveLength(2);
    else {
      expect(collections(seen)).toEqual([
        'notifications',
        'recipient_notifications',
        'recipient_unread',
      ]);
      expect(seen.every((c) => c.byId)).toBe(true);
    }
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
