// Tracing not configured (the default): nothing is exported, no request needs a traceparent,
// events carry none and log lines have no trace ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startTracing, tracingActive, tracingConfigShape } from '@yuejuan/platform';
import { callSubgraph } from '@yuejuan/runtime/testing';
import { startStack, type Stack } from './stack.ts';
import { seedApplications, seedPeople, shanghai } from './fixtures.ts';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tracing not configured', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;
  let people: Awaited<ReturnType<typeof seedPeople>>;
  const gatewayLines: string[] = [];
  const notificationLines: string[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // No endpoint, or an endpoint with OTEL_SDK_DISABLED=true: both leave tracing off.
    expect(startTracing(loadConfig(tracingConfigShape, {}), 'gateway')).toBeNull();
    expect(
      startTracing(
        loadConfig(tracingConfigShape, {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_SDK_DISABLED: 'true',
        }),
        'gateway',
      ),
    ).toBeNull();
    expect(tracingActive()).toBe(false);
    stack = await startStack('untraced', {
      gatewayLogLines: gatewayLines,
      subgraphLogLines: { notifications: notificationLines },
    });
    people = await seedPeople(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('answers without traceparents, publishes events without one, logs no trace ids, exports nothing', async () => {
    const query = await stack.query(`{ procuratorates { id } }`);
    expect(query.errors).toBeUndefined();
    const direct = await callSubgraph(
      stack.urls.cases,
      { query: '{ procuratorates { id } }' },
      { secret: stack.secrets.internal, audience: 'cases', identity: { role: 'ANONYMOUS' } },
    );
    expect(direct.status).toBe(200);

    // A mutation whose event reaches the notifications consumer and the SMS outbox.
    await seedApplications(stack, people.zhangSanId, 2, '沪检无迹');
    const application = (await stack.services.cases.models.BindingApplication.findOne({
      status: 'SUBMITTED',
    })
      .lean()
      .exec())!;
    const prosecutor = (
      await stack.services.identity.sessions.open({
        role: 'PROSECUTOR',
        subjectId: people.prosecutorId,
        procuratorateId: shanghai.id,
        method: 'PROSECUTOR',
      })
    ).token;
    const approved = await stack.query(
      /* GraphQL */ `
        mutation UntracedApproval($id: ID!) {
          approveBindingApplication(id: $id) {
            status
          }
        }
      `,
      { id: application._id },
      prosecutor,
    );
    expect(approved.errors).toBeUndefined();
    const end = Date.now() + 10_000;
    while (!notificationLines.some((l) => l.includes('sms queued')) && Date.now() < end)
      await sleep(50);
    await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });

    const event = await stack.db.cases
      .getClient()
      .db(stack.eventsDb)
      .collection('events')
      .findOne({ 'payload.applicationId': application._id, 'payload.status': 'APPROVED' });
    expect(event).not.toBeNull();
    expect(event).not.toHaveProperty('traceparent');
    const lines = [...gatewayLines, ...notificationLines].map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['sms queued', 'request refused at the edge']),
    );
    for (const line of lines) expect(line).not.toHaveProperty('trace_id');
    await sleep(500);
    expect(receiver.requests).toEqual([]);
  });
});
