// Tracing (OpenTelemetry) as an operator's collector sees it: the gateway and the subgraphs of
// this process export over OTLP/HTTP to a real receiver, and each client operation is one trace
// across the gateway, the subgraphs, their database commands and the event bus.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { loadConfig, startTracing, tracingConfigShape, type Tracing } from '@yuejuan/platform';
import { callSubgraph } from '@yuejuan/runtime/testing';
import { startStack, type Stack } from './stack.ts';
import { lawyerToken, seedApplications, seedPeople, shanghai } from './fixtures.ts';
import { post } from './http.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.ts';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

const approve = /* GraphQL */ `
  mutation TracedApproval($id: ID!) {
    approveBindingApplication(id: $id) {
      id
      status
    }
  }
`;
const changed = /* GraphQL */ `
  subscription TracedChanges {
    bindingApplicationChanged {
      id
      status
      lawyer {
        name
      }
    }
  }
`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tracing: one trace per client operation, exported over OTLP/HTTP', () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing | null;
  let stack: Stack;
  let people: Awaited<ReturnType<typeof seedPeople>>;
  const gatewayLines: string[] = [];
  const notificationLines: string[] = [];

  /** Flushes the exporter until `check` holds (spans are batched). */
  async function spansUntil(check: () => boolean, ms = 15_000) {
    const end = Date.now() + ms;
    for (;;) {
      await tracing!.flush();
      if (check()) return;
      if (Date.now() > end) throw new Error('the expected spans did not arrive');
      await sleep(50);
    }
  }
  const byId = (id: string | undefined) => receiver.spans.find((s) => s.spanId === id);
  /** The span's parents up to its root, nearest first. */
  const ancestors = (span: ReceivedSpan) => {
    const out: ReceivedSpan[] = [];
    for (let p = byId(span.parentSpanId); p; p = byId(p.parentSpanId)) out.push(p);
    return out;
  };
  const portOf = (url: string) => Number(new URL(url).port);
  const one = (spans: ReceivedSpan[], test: (s: ReceivedSpan) => boolean, what: string) => {
    const found = spans.filter(test);
    expect(found, what).toHaveLength(1);
    return found[0]!;
  };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    tracing = startTracing(
      loadConfig(tracingConfigShape, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }),
      'yuejuan-test',
    );
    stack = await startStack('tracing', {
      gatewayLogLines: gatewayLines,
      subgraphLogLines: { notifications: notificationLines },
    });
    people = await seedPeople(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    await tracing?.shutdown();
    await receiver?.close();
  });

  it('has the gateway operation, the subgraph request under its fetch span, and the database commands in one trace', async () => {
    const res = await stack.query(
      /* GraphQL */ `
        query TracedProcuratorates($province: String) {
          procuratorates(province: $province) {
            id
          }
        }
      `,
      { province: shanghai.province },
    );
    expect(res.errors).toBeUndefined();
    const isOperation = (s: ReceivedSpan) =>
      s.name === 'gateway.request' &&
      s.attributes['graphql.operation.name'] === 'TracedProcuratorates';
    await spansUntil(() => receiver.spans.some(isOperation));
    const operation = receiver.spans.find(isOperation)!;
    // Spans are sent when they end: wait for the subgraph's database command too.
    await spansUntil(() =>
      receiver.trace(operation.traceId).some((s) => s.attributes['db.system.name'] === 'mongodb'),
    );
    const spans = receiver.trace(operation.traceId);

    // The gateway: its server span is the root; parse, validate, plan and fetch under it.
    const root = one(spans, (s) => !s.parentSpanId, 'one root');
    expect(root).toMatchObject({
      service: 'yuejuan-test',
      kind: SERVER,
      name: 'POST /graphql',
      attributes: {
        'http.route': '/graphql',
        'http.response.status_code': 200,
        'graphql.operation.name': 'TracedProcuratorates',
        'graphql.operation.type': 'query',
        'server.port': portOf(stack.url),
      },
    });
    expect(ancestors(operation)).toContain(root);
    for (const name of ['graphql.parse', 'graphql.validate', 'gateway.plan'])
      expect(ancestors(one(spans, (s) => s.name === name, name))).toContain(root);
    const fetch = one(
      spans,
      (s) => s.name === 'gateway.fetch' && s.attributes.service === 'cases',
      'the fetch to cases',
    );
    expect(ancestors(fetch)).toContain(operation);

    // The subgraph continues the trace: its server span's parent is the gateway's fetch.
    const subgraph = one(
      spans,
      (s) => s.kind === SERVER && s.attributes['server.port'] === portOf(stack.urls.cases),
      'the cases request',
    );
    expect(subgraph.parentSpanId).toBe(fetch.spanId);
    expect(subgraph.name).toBe('POST /graphql');
    const resolver = one(spans, (s) => s.name === 'Query.procuratorates', 'the root field');
    expect(resolver.parentSpanId).toBe(subgraph.spanId);
    const commands = spans.filter((s) => s.attributes['db.system.name'] === 'mongodb');
    expect(commands.length).toBeGreaterThan(0);
    const find = commands.find((s) => s.attributes['db.operation.name'] === 'find')!;
    expect(find).toMatchObject({
      kind: 3,
      name: 'find procuratorates',
      attributes: { 'db.collection.name': 'procuratorates' },
    });
    expect(ancestors(find)).toContain(resolver);
    // What a command was asked is never recorded (filters hold personal data).
    expect(JSON.stringify(commands)).not.toContain(shanghai.province);
  });

  it("makes a client's traceparent a link, not the parent: a caller cannot choose our trace", async () => {
    const foreign = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
    const res = await post(
      stack.url,
      { query: '{ procuratorates { id } }' },
      { traceparent: `00-${foreign.traceId}-${foreign.spanId}-01` },
    );
    expect(res.status).toBe(200);
    const linked = (s: ReceivedSpan) => s.links.some((l) => l.spanId === foreign.spanId);
    await spansUntil(() => receiver.spans.some(linked));
    const root = receiver.spans.find(linked)!;
    expect(root.parentSpanId).toBeUndefined();
    expect(root.traceId).not.toBe(foreign.traceId);
    expect(receiver.trace(foreign.traceId)).toEqual([]);
  });

  it('serves a subgraph request without a traceparent as a trace of its own', async () => {
    const res = await callSubgraph(
      stack.urls.cases,
      { query: '{ procuratorates { id } }' },
      { secret: stack.secrets.internal, audience: 'cases', identity: { role: 'ANONYMOUS' } },
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const direct = (s: ReceivedSpan) =>
      s.kind === SERVER &&
      s.attributes['server.port'] === portOf(stack.urls.cases) &&
      !s.parentSpanId;
    await spansUntil(() => receiver.spans.some(direct));
  });

  it("carries an approval's trace through the event bus to the subscriber's delivery and the SMS it caused", async () => {
    await seedApplications(stack, people.zhangSanId, 2, '沪检追踪');
    const application = (await stack.services.cases.models.BindingApplication.findOne({
      lawyerId: people.zhangSanId,
      status: 'SUBMITTED',
    })
      .lean()
      .exec())!;
    await stack.services.identity.models.Lawyer.updateOne(
      { _id: people.zhangSanId },
      { $set: { phone: '13600000071' } },
    ).exec();
    const prosecutor = (
      await stack.services.identity.sessions.open({
        role: 'PROSECUTOR',
        subjectId: people.prosecutorId,
        procuratorateId: shanghai.id,
        method: 'PROSECUTOR',
      })
    ).token;

    // The lawyer follows their applications over the gateway's WebSocket.
    const client = createClient({
      url: stack.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: {
        authorization: `Bearer ${await lawyerToken(stack, people.zhangSanId)}`,
      },
      retryAttempts: 0,
    });
    const delivered: unknown[] = [];
    const off = client.subscribe(
      { query: changed },
      { next: (e) => void delivered.push(e), error: () => undefined, complete: () => undefined },
    );
    const end = Date.now() + 10_000;
    while (stack.bus.cases.stats().listeners === 0 && Date.now() < end) await sleep(20);

    const res = await stack.query(approve, { id: application._id }, prosecutor);
    expect(res.errors).toBeUndefined();
    const sent = () =>
      stack.services.notifications.models.SmsMessage.findOne({ status: 'SENT' }).lean().exec();
    while ((!delivered.length || !(await sent())) && Date.now() < end + 10_000) await sleep(50);
    off();
    await client.dispose();
    expect(delivered).toHaveLength(1);

    const isApproval = (s: ReceivedSpan) =>
      s.name === 'gateway.request' && s.attributes['graphql.operation.name'] === 'TracedApproval';
    await spansUntil(() => receiver.spans.some(isApproval));
    const traceId = receiver.spans.find(isApproval)!.traceId;
    await spansUntil(() =>
      ['sms send', 'gateway.subscription.event cases'].every((name) =>
        receiver.trace(traceId).some((s) => s.name === name),
      ),
    );
    const spans = receiver.trace(traceId);

    // Published inside the approval: the event stores the publish span's traceparent.
    const publish = one(
      spans,
      (s) => s.name === 'cases.bindingApplication.changed publish',
      'the publication',
    );
    expect(publish.kind).toBe(PRODUCER);
    const stored = await stack.db.cases
      .getClient()
      .db(stack.eventsDb)
      .collection('events')
      .findOne({ 'payload.applicationId': application._id, 'payload.status': 'APPROVED' });
    expect(stored?.traceparent).toBe(`00-${traceId}-${publish.spanId}-01`);

    // Each durable consumer (notifications, its webhooks, and reading's binding watch) handles
    // it as a child of the publication ...
    const consumers = spans.filter((s) => s.name === 'cases.bindingApplication.changed process');
    expect(consumers.map((s) => s.attributes['messaging.consumer.group.name']).sort()).toEqual([
      'notifications',
      'notifications-webhooks',
      'reading-bindings',
    ]);
    for (const s of consumers)
      expect(s).toMatchObject({ kind: CONSUMER, parentSpanId: publish.spanId });
    const consumed = consumers.find(
      (s) => s.attributes['messaging.consumer.group.name'] === 'notifications',
    )!;
    // ... and the SMS it queued is sent in the same trace, looking up the phone at identity.
    const sms = one(spans, (s) => s.name === 'sms send', 'the SMS attempt');
    expect(sms.attributes).toMatchObject({
      'yuejuan.sms.outcome': 'sent',
      'yuejuan.sms.attempt': 1,
    });
    expect(ancestors(sms)).toContain(consumed);
    const contacts = spans.find(
      (s) => s.kind === SERVER && s.attributes['http.route'] === '/internal/contacts',
    );
    expect(contacts && ancestors(contacts)).toContain(sms);
    const settled = await stack.services.notifications.models.SmsMessage.findOne({ status: 'SENT' })
      .lean()
      .exec();
    expect((settled as { traceparent?: string } | null)?.traceparent).toMatch(
      new RegExp(`^00-${traceId}-`),
    );

    // The subscriber's delivery: the subgraph's execution of the event, then the gateway's
    // completion of it across the other subgraphs (the lawyer's name from identity).
    const delivery = one(
      spans,
      (s) => s.kind === CONSUMER && s.name.startsWith('subscription '),
      'the subgraph delivery',
    );
    expect(delivery.parentSpanId).toBe(publish.spanId);
    const completion = one(
      spans,
      (s) => s.name === 'gateway.subscription.event cases',
      'the gateway completion',
    );
    expect(completion.parentSpanId).toBe(delivery.spanId);
    const lawyerRead = one(
      spans,
      (s) => s.name === 'find lawyers' && ancestors(s).includes(completion),
      "the lawyer's read at identity",
    );
    expect(ancestors(lawyerRead).map((s) => s.name)).toEqual([
      'Query._entities',
      'POST /graphql',
      'gateway.fetch',
      'gateway.execute',
      'gateway.subscription.event cases',
      'subscription bindingApplicationChanged',
      'cases.bindingApplication.changed publish',
      'Mutation.approveBindingApplication',
      'POST /graphql',
      'gateway.fetch',
      'gateway.execute',
      'gateway.request',
      'POST /graphql',
    ]);

    // Log lines written inside the trace carry its ids.
    const logged = notificationLines
      .map((l) => JSON.parse(l) as { msg: string; trace_id?: string; span_id?: string })
      .filter((l) => l.msg === 'sms queued' || l.msg === 'sms sent');
    expect(logged.map((l) => l.msg).sort()).toEqual(['sms queued', 'sms sent']);
    for (const line of logged) expect(line.trace_id).toBe(traceId);
    expect(logged.find((l) => l.msg === 'sms sent')!.span_id).toBe(sms.spanId);
  });

  it("runs the prosecutors' fan-out of a new application in the trace of its event, with a client span for each internal call", async () => {
    const applicationId = `traced-fanout-${Date.now()}`;
    const event = await stack.bus.cases.publish('cases.bindingApplication.changed', {
      applicationId,
      lawyerId: people.zhangSanId,
      procuratorateId: shanghai.id,
      status: 'SUBMITTED',
    });
    const isFanout = (s: ReceivedSpan) =>
      s.name === 'notifications fanout' && s.attributes['messaging.message.id'] === event.id;
    const isRoute = (s: ReceivedSpan) =>
      s.kind === SERVER && s.attributes['http.route'] === '/internal/contacts/by-procuratorate';
    await spansUntil(() => receiver.spans.some(isFanout));
    const fanout = one(receiver.spans, isFanout, 'the fan-out run');
    await spansUntil(() => receiver.trace(fanout.traceId).some(isRoute));
    const spans = receiver.trace(fanout.traceId);

    const publish = one(
      spans,
      (s) => s.kind === PRODUCER && s.name === 'cases.bindingApplication.changed publish',
      'the publication',
    );
    expect(publish.attributes['messaging.message.id']).toBe(event.id);
    const consumer = one(
      spans,
      (s) =>
        s.kind === CONSUMER && s.attributes['messaging.consumer.group.name'] === 'notifications',
      "notifications' handling of the event",
    );
    expect(consumer.parentSpanId).toBe(publish.spanId);
    expect(fanout.kind).toBe(CONSUMER);
    expect(ancestors(fanout)).toContain(consumer);

    // identity's route is served under notifications' client span of the call.
    const route = one(spans, isRoute, "identity's prosecutors route");
    const call = byId(route.parentSpanId)!;
    expect(call).toMatchObject({
      kind: CLIENT,
      name: 'POST /internal/contacts/by-procuratorate',
      parentSpanId: fanout.spanId,
    });
    expect(call.attributes).toMatchObject({
      'peer.service': 'identity',
      'http.response.status_code': 200,
    });
    const added = await stack.services.notifications.models.Notification.countDocuments({
      subjectId: applicationId,
    }).exec();
    expect(added).toBeGreaterThan(0);
  });

  it('gives a query sent over the WebSocket a server span of its own, with the whole operation under it', async () => {
    const client = createClient({
      url: stack.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: {
        authorization: `Bearer ${await lawyerToken(stack, people.zhangSanId)}`,
      },
      retryAttempts: 0,
    });
    const result = await new Promise<unknown>((resolve, reject) => {
      let value: unknown;
      client.subscribe(
        { query: 'query TracedOverSocket { viewer { __typename } }' },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    await client.dispose();
    expect(result).toMatchObject({ data: { viewer: { __typename: 'Viewer' } } });

    const isOperation = (s: ReceivedSpan) =>
      s.name === 'graphql-ws operation' &&
      s.attributes['graphql.operation.name'] === 'TracedOverSocket';
    await spansUntil(() => receiver.spans.some(isOperation));
    const operation = one(receiver.spans, isOperation, 'the socket operation');
    expect(operation.kind).toBe(SERVER);
    expect(operation.parentSpanId).toBeFalsy();
    await spansUntil(() =>
      receiver.trace(operation.traceId).some((s) => s.name === 'Query.viewer'),
    );
    const spans = receiver.trace(operation.traceId);
    const request = one(spans, (s) => s.name === 'gateway.request', "Apollo's request");
    expect(request.parentSpanId).toBe(operation.spanId);
    const viewer = spans.find((s) => s.name === 'Query.viewer')!;
    expect(ancestors(viewer)).toContain(request);
  });

  it("writes the request's trace id into the gateway's log lines", async () => {
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(res.status).toBe(400);
    const line = gatewayLines
      .map((l) => JSON.parse(l) as { msg: string; trace_id?: string; span_id?: string })
      .find((l) => l.msg === 'request refused at the edge');
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    await spansUntil(() => receiver.trace(line!.trace_id!).length > 0);
    expect(receiver.trace(line!.trace_id!)).toEqual([
      expect.objectContaining({
        spanId: line!.span_id,
        kind: SERVER,
        attributes: expect.objectContaining({ 'http.response.status_code': 400 }),
      }),
    ]);
  });
});
