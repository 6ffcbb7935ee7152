import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { createEventBus } from '@yuejuan/runtime';
import { testLogger } from '@yuejuan/runtime/testing';
import { createServer as createCases } from '@yuejuan/cases';
import { loadCasesConfig } from '@yuejuan/cases/config';
import { startStack, type Stack } from './stack.ts';
import { lawyerToken, seedApplications, seedPeople } from './fixtures.ts';
import { createGateway } from '../src/server.ts';
import { loadGatewayConfig } from '../src/config.ts';

const changed = /* GraphQL */ `
  subscription {
    bindingApplicationChanged {
      id
      status
      case {
        caseName
      }
      lawyer {
        name
        licenceNumber
      }
    }
  }
`;
const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('federated subscriptions through the gateway over WebSocket', () => {
  let stack: Stack;
  let people: Awaited<ReturnType<typeof seedPeople>>;
  let second: {
    cases: ReturnType<typeof createCases>;
    gateway: ReturnType<typeof createGateway>;
    url: string;
    bus: ReturnType<typeof createEventBus>;
  };
  let applicationId: string;
  const clients: Client[] = [];
  const connect = (url: string, token?: string) => {
    const client = createClient({
      url: url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    stack = await startStack('subs');
    people = await seedPeople(stack);
    await seedApplications(stack, people.zhangSanId, 2);
    applicationId = (await stack.services.cases.models.BindingApplication.findOne({
      lawyerId: people.zhangSanId,
    })
      .lean()
      .exec())!._id;
    // A second instance of the cases subgraph and a second gateway in front of it: an event
    // published by one instance must reach a subscriber of the other gateway.
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      MONGODB_URI: 'mongodb://unused/',
      YUEJUAN_INTERNAL_SECRET: stack.secrets.internal,
      PORT: '0',
    };
    const bus = createEventBus({
      client: stack.db.cases.getClient(),
      dbName: stack.eventsDb,
      logger: testLogger('bus2'),
    });
    const cases = createCases({
      config: loadCasesConfig(env),
      connection: stack.db.cases,
      logger: testLogger('cases2'),
      bus,
    });
    const casesUrl = await cases.start();
    const gateway = createGateway(
      loadGatewayConfig({
        ...env,
        WS_SESSION_RECHECK_MS: '1000',
        IDENTITY_URL: stack.urls.identity,
        CASES_URL: casesUrl,
        READING_URL: stack.urls.reading,
        NOTIFICATIONS_URL: stack.urls.notifications,
      }),
      testLogger('gateway2'),
    );
    second = { cases, gateway, url: await gateway.start(), bus };
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await second?.gateway.stop();
    await second?.cases.stop();
    await second?.bus.close();
    await stack?.stop();
  });

  it('delivers a change published by another subgraph instance to a subscriber of another gateway, with fields from other subgraphs', async () => {
    const client = connect(stack.url, await lawyerToken(stack, people.zhangSanId));
    const events: unknown[] = [];
    const iterator = client.iterate({ query: changed });
    const reader = (async () => {
      for await (const e of iterator) {
        events.push(e);
        if (events.length === 1) break;
      }
    })();
    await until(() => stack.bus.cases.stats().listeners === 1);
    await second.bus.publish('cases.bindingApplication.changed', {
      applicationId,
      lawyerId: people.zhangSanId,
      procuratorateId: 'SH-310000',
      caseId: 'x',
      status: 'APPROVED',
    });
    await reader;
    expect(events).toEqual([
      {
        data: {
          bindingApplicationChanged: {
            id: applicationId,
            status: expect.any(String),
            case: { caseName: expect.stringMatching(/^测试案件/) },
            lawyer: { name: '张三', licenceNumber: '13101200510123456' },
          },
        },
      },
    ]);
  });

  it('shows each change with the record as it is then (no stale cache across events)', async () => {
    const client = connect(stack.url, await lawyerToken(stack, people.zhangSanId));
    const statuses: string[] = [];
    const off = client.subscribe<{ bindingApplicationChanged: { status: string } }>(
      { query: changed },
      {
        next: (e) => void statuses.push(e.data!.bindingApplicationChanged.status),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await until(
      () =>
        stack.gateway.subscriptionStats().subscriptions > 0 &&
        stack.bus.cases.stats().listeners > 0,
    );
    await new Promise((r) => setTimeout(r, 300));
    const { BindingApplication } = stack.services.cases.models;
    for (const status of ['MATERIALS_REQUESTED', 'SUBMITTED', 'APPROVED']) {
      await BindingApplication.updateOne({ _id: applicationId }, { $set: { status } }).exec();
      await stack.bus.cases.publish('cases.bindingApplication.changed', {
        applicationId,
        lawyerId: people.zhangSanId,
        procuratorateId: 'SH-310000',
        caseId: 'x',
        status,
      });
      await until(() => statuses.at(-1) === status);
    }
    off();
    expect(statuses).toEqual(['MATERIALS_REQUESTED', 'SUBMITTED', 'APPROVED']);
  });

  it("keeps each lawyer to their own applications' changes", async () => {
    const client = connect(second.url, await lawyerToken(stack, people.liSiId));
    const events: unknown[] = [];
    const unsubscribe = client.subscribe(
      { query: changed },
      { next: (e) => void events.push(e), error: () => undefined, complete: () => undefined },
    );
    await until(() => second.bus.stats().listeners === 1);
    await stack.bus.cases.publish('cases.bindingApplication.changed', {
      applicationId,
      lawyerId: people.zhangSanId,
      procuratorateId: 'SH-310000',
      caseId: 'x',
      status: 'REJECTED',
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(events).toEqual([]);
    unsubscribe();
  });

  it('refuses an anonymous subscriber with UNAUTHENTICATED and a bad token at connection', async () => {
    const anonymous = connect(stack.url);
    const result = await new Promise<unknown>((resolve) =>
      anonymous.subscribe(
        { query: changed },
        { next: resolve, error: resolve, complete: () => undefined },
      ),
    );
    expect(JSON.stringify(result)).toMatch(/UNAUTHENTICATED/);
    const bad = createClient({
      url: stack.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${'x'.repeat(43)}` },
      retryAttempts: 0,
    });
    const closed = await new Promise<unknown>((resolve) =>
      bad.subscribe(
        { query: changed },
        { next: resolve, error: resolve, complete: () => undefined },
      ),
    );
    expect((closed as { code?: number }).code).toBe(4403);
    await bad.dispose();
  });

  it('answers a malformed subscription with a GraphQL error, not a crash', async () => {
    const client = connect(stack.url, await lawyerToken(stack, people.zhangSanId));
    const result = await new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: 'subscription { nope }' },
        { next: resolve, error: resolve, complete: () => undefined },
      ),
    );
    expect(JSON.stringify(result)).toMatch(/GRAPHQL_VALIDATION_FAILED|Cannot query field/);
    const query = await new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: '{ procuratorates { id } }' },
        { next: resolve, error: resolve, complete: () => undefined },
      ),
    );
    expect(query).toMatchObject({ data: { procuratorates: expect.any(Array) } });
  });

  it('shares one upstream subscription among subscribers asking the same as the same person', async () => {
    const token = await lawyerToken(stack, people.zhangSanId);
    const baseline = {
      subscriptions: stack.gateway.subscriptionStats().subscriptions,
      listeners: stack.bus.cases.stats().listeners,
    };
    const [a, b] = [
      connect(stack.url, token),
      connect(stack.url, await lawyerToken(stack, people.zhangSanId)),
    ];
    const got: unknown[][] = [[], []];
    const offs = [a, b].map((c, i) =>
      c.subscribe(
        { query: changed },
        { next: (e) => void got[i]!.push(e), error: () => undefined, complete: () => undefined },
      ),
    );
    await until(
      () =>
        stack.gateway.subscriptionStats().subscriptions === baseline.subscriptions + 1 &&
        stack.bus.cases.stats().listeners === baseline.listeners + 1,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(stack.gateway.subscriptionStats().subscriptions).toBe(baseline.subscriptions + 1); // two subscribers, one upstream
    await stack.bus.cases.publish('cases.bindingApplication.changed', {
      applicationId,
      lawyerId: people.zhangSanId,
      procuratorateId: 'SH-310000',
      caseId: 'x',
      status: 'APPROVED',
    });
    await until(() => got[0]!.length === 1 && got[1]!.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(got[0]).toHaveLength(1); // only what happened after subscribing, once
    expect(got[0]).toEqual(got[1]);
    offs[0]!();
    await new Promise((r) => setTimeout(r, 200));
    expect(stack.gateway.subscriptionStats().subscriptions).toBe(baseline.subscriptions + 1); // the other subscriber still listens
    offs[1]!();
    await until(() => stack.gateway.subscriptionStats().subscriptions === baseline.subscriptions);
  });

  it('closes the sockets of a session revoked at logout within the recheck period', async () => {
    const token = await lawyerToken(stack, people.zhangSanId);
    const client = connect(second.url, token);
    const ended = new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: changed },
        { next: () => undefined, error: resolve, complete: () => resolve('complete') },
      ),
    );
    await until(() => second.gateway.subscriptionStats().subscriptions === 1);
    expect((await stack.query('mutation { logout }', {}, token)).data).toEqual({ logout: true });
    const started = Date.now();
    const reason = await ended;
    expect((reason as { code?: number }).code).toBe(4401);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('applies the persisted-operations policy to operations sent over the socket', async () => {
    const strict = await stack.startGateway({ YUEJUAN_PERSISTED_ONLY: 'true' });
    const client = connect(strict.url, await lawyerToken(stack, people.zhangSanId));
    const refused = await new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: changed },
        { next: resolve, error: resolve, complete: () => undefined },
      ),
    );
    expect(JSON.stringify(refused)).toMatch(/PERSISTED_QUERY_REQUIRED/);
  });

  it('leaves no upstream subscription, listener or cursor behind when clients leave', async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await until(
      () =>
        stack.gateway.subscriptionStats().subscriptions === 0 &&
        second.gateway.subscriptionStats().subscriptions === 0 &&
        stack.gateway.subscriptionStats().clients === 0,
    );
    await until(
      () =>
        stack.bus.cases.stats().listeners === 0 &&
        stack.bus.cases.stats().cursors === 0 &&
        second.bus.stats().listeners === 0 &&
        second.bus.stats().cursors === 0,
    );
    expect(stack.gateway.subscriptionStats()).toMatchObject({ clients: 0, subscriptions: 0 });
  });
});
