import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminIdentity, anonymous } from '@yuejuan/runtime/testing';
import { newId } from '@yuejuan/runtime';
import { nativeCollection } from '../src/models/index.ts';
import { codes, startNotifications, type Harness } from './harness.ts';
import { liSi, zhangSan } from './fixtures.ts';

const list = /* GraphQL */ `
  query Sms($filter: SmsMessageFilter, $first: Int, $after: String) {
    smsMessages(filter: $filter, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          phoneMasked
          kind
          status
          attempts
          createdAt
        }
      }
    }
  }
`;
type Page = {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: {
    node: { id: string; phoneMasked: string; kind: string; status: string; createdAt: string };
  }[];
};

describe('administrators list SMS messages; the development inbox', () => {
  let h: Harness;
  const ids: string[] = [];
  const seeded = [
    {
      phone: '13500000001',
      kind: 'LOGIN_CODE',
      status: 'SENT',
      createdAt: new Date('2025-05-01T08:00:00Z'),
    },
    {
      phone: '13500000001',
      kind: 'BINDING_APPROVED',
      status: 'DELIVERED',
      createdAt: new Date('2025-05-02T08:00:00Z'),
    },
    {
      phone: '13500000002',
      kind: 'LOGIN_CODE',
      status: 'FAILED',
      createdAt: new Date('2025-05-03T08:00:00Z'),
    },
    {
      phone: '13500000002',
      kind: 'READING_REJECTED',
      status: 'QUEUED',
      createdAt: new Date('2025-05-04T08:00:00Z'),
    },
    {
      phone: '13500000003',
      kind: 'LOGIN_CODE',
      status: 'SENT',
      createdAt: new Date('2025-05-05T08:00:00Z'),
    },
  ];

  beforeAll(async () => {
    h = await startNotifications('notifications_admin', {
      env: { NOTIFICATIONS_WORKERS: 'false' },
    });
    // Inserted as stored (with their own creation times), oldest first so ids follow time.
    for (const s of seeded) {
      const id = newId();
      ids.push(id);
      await nativeCollection(h.models.SmsMessage).insertOne({
        _id: id as never,
        dedupeKey: `seed:${id}`,
        source: 'INTERNAL',
        variables: {},
        attempts: 1,
        lastError: null,
        provider: 'dev',
        providerMessageId: null,
        recipientId: null,
        recipientRole: null,
        sentAt: null,
        deliveredAt: null,
        failedAt: null,
        ...s,
      });
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  const page = async (variables: Record<string, unknown>) => {
    const res = await h.call(adminIdentity(), list, variables);
    expect(res.errors).toBeUndefined();
    return res.data.smsMessages as Page;
  };

  it('filters by phone, kind, status and time, newest first, phones masked', async () => {
    expect((await page({ filter: { phone: '13500000001' } })).edges.map((e) => e.node.id)).toEqual([
      ids[1],
      ids[0],
    ]);
    expect((await page({ filter: { kind: 'LOGIN_CODE' } })).edges.map((e) => e.node.id)).toEqual([
      ids[4],
      ids[2],
      ids[0],
    ]);
    expect((await page({ filter: { status: 'FAILED' } })).edges.map((e) => e.node.id)).toEqual([
      ids[2],
    ]);
    expect(
      (
        await page({ filter: { from: '2025-05-02T00:00:00Z', to: '2025-05-04T12:00:00Z' } })
      ).edges.map((e) => e.node.id),
    ).toEqual([ids[3], ids[2], ids[1]]);
    expect(
      (
        await page({ filter: { phone: '13500000002', kind: 'LOGIN_CODE', status: 'FAILED' } })
      ).edges.map((e) => e.node),
    ).toEqual([
      {
        id: ids[2],
        phoneMasked: '135****0002',
        kind: 'LOGIN_CODE',
        status: 'FAILED',
        attempts: 1,
        createdAt: '2025-05-03T08:00:00.000Z',
      },
    ]);
  });

  it('pages with first/after: every message once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const p: Page = await page({
        filter: { from: '2025-05-01T00:00:00Z', to: '2025-05-06T00:00:00Z' },
        first: 2,
        after,
      });
      seen.push(...p.edges.map((e) => e.node.id));
      after = p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual([...ids].reverse());
  });

  it('is for administrators only, and refuses malformed filters', async () => {
    for (const who of [zhangSan, liSi])
      expect(codes(await h.call(who, list))).toEqual(['FORBIDDEN']);
    expect(codes(await h.call(anonymous, list))).toEqual(['UNAUTHENTICATED']);
    for (const filter of [{ phone: '123' }, { from: 'yesterday' }])
      expect(codes(await h.call(adminIdentity(), list, { filter }))).toEqual(['BAD_USER_INPUT']);
  });

  it('the development inbox shows what the sink sent, newest first, by phone', async () => {
    const a = await h.sms({
      to: { phone: '13500000009' },
      kind: 'BINDING_PHONE_CODE',
      variables: { code: '246810', expiresInMinutes: 10 },
      dedupeKey: 'inbox-1',
    });
    const b = await h.sms({
      to: { phone: '13500000008' },
      kind: 'LOGIN_CODE',
      variables: { code: '135791' },
      dedupeKey: 'inbox-2',
    });
    await h.services.sender.tick();
    const res = await h.call(
      anonymous,
      /* GraphQL */ `
        query {
          devSmsInbox(phone: "13500000009") {
            id
            phone
            kind
            text
            sentAt
          }
        }
      `,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.devSmsInbox).toEqual([
      {
        id: a.body.messageId,
        phone: '13500000009',
        kind: 'BINDING_PHONE_CODE',
        text: '【12309中国检察网】您正在绑定手机号码，验证码为246810，10分钟内有效。如非本人操作，请忽略本短信。',
        sentAt: expect.any(String),
      },
    ]);
    const all = await h.call(
      anonymous,
      /* GraphQL */ `
        query {
          devSmsInbox {
            id
          }
        }
      `,
    );
    expect(all.data.devSmsInbox).toEqual([{ id: b.body.messageId }, { id: a.body.messageId }]);
  });
});
