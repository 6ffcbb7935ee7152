import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { adminIdentity, anonymous, testSecrets } from '@yuejuan/runtime/testing';
import type { Identity } from '@yuejuan/runtime';
import { startFakeIdentity, type FakeIdentity } from './fakes/identity.ts';
import { startNotifications, until, type Harness } from './harness.ts';
import {
  bindingChanged,
  contacts,
  liSi,
  liSiId,
  wangId,
  wangSh,
  zhangSan,
  zhangSanId,
} from './fixtures.ts';

const added = /* GraphQL */ `
  subscription {
    notificationAdded {
      id
      kind
      title
      body
      subjectId
      readAt
    }
  }
`;
type Result = {
  data?: { notificationAdded: Record<string, unknown> } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
};

describe('notificationAdded over WebSocket at the subgraph', () => {
  let h: Harness;
  let identity: FakeIdentity;
  let client: Client;

  beforeAll(async () => {
    const secrets = testSecrets();
    identity = await startFakeIdentity({ secret: secrets.internal, contacts });
    h = await startNotifications('notifications_subscription', {
      secrets,
      env: { IDENTITY_INTERNAL_URL: identity.url },
    });
    // As the gateway connects: a token minted for this subgraph in connection_init.
    client = createClient({
      url: h.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: async () => ({
        'x-internal-token': await h.token({ role: 'SERVICE', service: 'gateway' }),
      }),
    });
  });
  afterAll(async () => {
    await client?.dispose();
    await h?.stop();
    await identity?.close();
  });

  /** Subscribes as `who` (their token in the subscription's extensions) and collects what arrives. */
  async function follow(who: Identity) {
    const got: Result[] = [];
    const iterator = client.iterate<Record<string, unknown>>({
      query: added,
      extensions: { 'x-internal-token': await h.token(who) },
    });
    const done = (async () => {
      for await (const r of iterator) got.push(r as Result);
    })();
    return {
      got,
      done,
      stop: async () => {
        await iterator.return?.();
        await done;
      },
    };
  }

  it('delivers a new notification live to its recipient only', async () => {
    const mine = await follow(zhangSan);
    const theirs = await follow(liSi);
    await until(() => h.db.bus.stats().listeners >= 2);

    const event = await h.db.bus.publish(
      'cases.bindingApplication.changed',
      bindingChanged('APPROVED'),
    );
    await until(() => mine.got.length === 1);
    const forLiSi = await h.db.bus.publish(
      'cases.bindingApplication.changed',
      bindingChanged('REJECTED', { lawyerId: liSiId, reason: '材料不全' }),
    );
    await until(() => theirs.got.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    await mine.stop();
    await theirs.stop();

    expect(mine.got).toEqual([
      {
        data: {
          notificationAdded: {
            id: `${event.id}:${zhangSanId}`,
            kind: 'BINDING_APPROVED',
            title: '案件绑定申请已通过',
            body: '您对“李某盗窃案”的案件绑定申请已审核通过，可在“已绑定案件”中申请在线阅卷。',
            subjectId: event.payload.applicationId,
            readAt: null,
          },
        },
      },
    ]);
    expect(theirs.got).toEqual([
      {
        data: {
          notificationAdded: {
            id: `${forLiSi.id}:${liSiId}`,
            kind: 'BINDING_REJECTED',
            title: '案件绑定申请未通过',
            body: '您的案件绑定申请未通过审核，原因：材料不全。',
            subjectId: forLiSi.payload.applicationId,
            readAt: null,
          },
        },
      },
    ]);
  });

  it('a prosecutor hears of a new application in their procuratorate', async () => {
    const wang = await follow(wangSh);
    await until(() => h.db.bus.stats().listeners === 1); // wang's, once the first test's are gone
    const event = await h.db.bus.publish(
      'cases.bindingApplication.changed',
      bindingChanged('SUBMITTED'),
    );
    await until(() => wang.got.length === 1);
    await wang.stop();
    expect(wang.got[0]!.data!.notificationAdded).toMatchObject({
      id: `${event.id}:${wangId}`,
      kind: 'NEW_APPLICATION',
      title: '新的待审核申请',
    });
  });

  it('refuses anonymous callers and roles without notifications', async () => {
    for (const [who, code] of [
      [anonymous, 'UNAUTHENTICATED'],
      [adminIdentity(), 'FORBIDDEN'],
    ] as const) {
      const s = await follow(who);
      await s.done;
      expect(s.got.map((r) => r.errors?.map((e) => e.extensions?.code))).toEqual([[code]]);
    }
  });
});
