// Webhooks end to end inside notifications: endpoints through GraphQL, domain events on the real
// bus, a real receiver on loopback verifying Standard Webhooks signatures, retries, replay,
// rotation, revocation, procuratorate isolation and automatic disabling. Identity's webhook
// routes are a fake here (tables the tests change); identity's own are tested in the gateway.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { adminIdentity, lawyerIdentity, testSecrets } from '@yuejuan/runtime/testing';
import { codes, startNotifications, until, type Harness } from './harness.ts';
import { startFakeWebhookIdentity, type FakeWebhookIdentity } from './fakes/identity-webhooks.ts';
import { startReceiver, type Receiver } from './webhooks/receiver.ts';
import type { WebhookMessageDoc } from '../src/models/index.ts';

const admin = adminIdentity('admin-webhooks');
const lawFirm = 'yj_lawfirm_app';
const system = 'yj_system_sh';
const zhang = 'lawyer-zhang';
const li = 'lawyer-li';

const addEndpoint = /* GraphQL */ `
  mutation Add($app: ID!, $input: WebhookEndpointInput!) {
    addWebhookEndpoint(applicationId: $app, input: $input) {
      secret
      endpoint {
        id
        url
        eventTypes
        status
        secrets {
          id
        }
      }
    }
  }
`;
const deliveriesQuery = /* GraphQL */ `
  query Deliveries($app: ID!, $filter: WebhookDeliveryFilter) {
    webhookDeliveries(applicationId: $app, filter: $filter, first: 50) {
      edges {
        node {
          id
          eventType
          status
          attempts
          replays
          lastHttpStatus
          lastLatencyMs
          nextAttemptAt
          log {
            attempt
            replay
            outcome
            httpStatus
          }
        }
      }
    }
  }
`;

let secrets: ReturnType<typeof testSecrets>;
let identity: FakeWebhookIdentity;
let h: Harness;
let receiver: Receiver;

beforeAll(async () => {
  secrets = testSecrets();
  identity = await startFakeWebhookIdentity(secrets.internal);
  h = await startNotifications('webhooks', {
    secrets,
    env: {
      IDENTITY_INTERNAL_URL: identity.url,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_BASE_MS: '200',
      WEBHOOK_BACKOFF_CAP_MS: '400',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_LEASE_MS: '3000',
      WEBHOOK_POLL_MS: '200',
    },
  });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await h?.stop();
  await identity?.close();
});

/** A fresh law-firm app with one endpoint for binding events; answers the endpoint and its secret. */
async function lawFirmEndpoint(appId = lawFirm, types = ['binding_application.status_changed']) {
  identity.applications.set(appId, {
    id: appId,
    name: '某律所管理系统',
    kind: 'LAW_FIRM',
    scopes: ['bindings:read', 'applications:read'],
    procuratorateId: null,
    status: 'ACTIVE',
  });
  const r = await h.call(admin, addEndpoint, {
    app: appId,
    input: { url: receiver.url, eventTypes: types, description: '测试' },
  });
  expect(r.errors).toBeUndefined();
  const { endpoint, secret } = r.data.addWebhookEndpoint;
  receiver.state.secrets.push(secret);
  return { endpoint, secret };
}

const bindingChanged = (lawyerId: string, status: string, procuratorateId = 'SH-310000') =>
  h.db.bus.publish('cases.bindingApplication.changed', {
    applicationId: `ba-${Math.random().toString(36).slice(2)}`,
    lawyerId,
    procuratorateId,
    caseId: 'case-1',
    status,
    reason: '材料不全，请补充委托书原件',
    caseName: '张某涉嫌诈骗案',
  });

/** The message made for `applicationId`'s endpoint from an event (several apps may follow one lawyer). */
const messageOf = (eventId: string, applicationId: string) =>
  h.models.WebhookMessage.findOne({ eventId, applicationId }).lean<WebhookMessageDoc>().exec();
const receivedFor = (messageId: string) => receiver.received.filter((r) => r.id === messageId);

afterEach(() => {
  receiver.state.status = 200;
  receiver.state.hold = false;
});

describe('endpoints', () => {
  it('adds an endpoint for the event types the scopes allow, shows the secret once, audits it', async () => {
    identity.applications.set('yj_scoped', {
      id: 'yj_scoped',
      name: '只读绑定',
      kind: 'LAW_FIRM',
      scopes: ['bindings:read'],
      procuratorateId: null,
      status: 'ACTIVE',
    });
    const refused = await h.call(admin, addEndpoint, {
      app: 'yj_scoped',
      input: { url: receiver.url, eventTypes: ['appointment.status_changed'] },
    });
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0]!.message).toContain('权限范围不包含');

    const { endpoint, secret } = await lawFirmEndpoint('yj_scoped');
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = await h.call(
      admin,
      /* GraphQL */ `
        query ($app: ID!) {
          webhookEndpoints(applicationId: $app) {
            id
            status
            secrets {
              id
            }
            changes {
              kind
              actorId
              detail
            }
          }
        }
      `,
      { app: 'yj_scoped' },
    );
    expect(listed.data.webhookEndpoints).toEqual([
      {
        id: endpoint.id,
        status: 'ACTIVE',
        secrets: endpoint.secrets,
        changes: [
          {
            kind: 'ENDPOINT_ADDED',
            actorId: 'admin-webhooks',
            detail: `${receiver.url}：登记，事件 binding_application.status_changed`,
          },
        ],
      },
    ]);
    // The secret is stored sealed: not in the clear anywhere in the database document.
    const stored = JSON.stringify(await h.models.WebhookEndpoint.findById(endpoint.id).lean());
    expect(stored).not.toContain(secret.slice(6));
    // Nobody but an administrator.
    const lawyer = await h.call(lawyerIdentity(zhang), addEndpoint, {
      app: 'yj_scoped',
      input: { url: receiver.url, eventTypes: ['binding_application.status_changed'] },
    });
    expect(codes(lawyer)).toEqual(['FORBIDDEN']);
  });

  it('refuses an unknown application', async () => {
    const r = await h.call(admin, addEndpoint, {
      app: 'yj_nobody',
      input: { url: receiver.url, eventTypes: ['binding_application.status_changed'] },
    });
    expect(codes(r)).toEqual(['NOT_FOUND']);
  });
});

describe('delivery', () => {
  it('signs each delivery so that Webhook.verify accepts it, and a tampered body fails', async () => {
    const { secret } = await lawFirmEndpoint('yj_sign');
    identity.grants.set(`yj_sign:${zhang}`, ['bindings:read']);
    const event = await bindingChanged(zhang, 'APPROVED');
    const m = await until(async () => {
      const doc = await messageOf(event.id, 'yj_sign');
      return doc?.status === 'DELIVERED' ? doc : null;
    });
    const [got] = receivedFor(m._id);
    expect(got!.verified).toBe(true);
    const headers = {
      'webhook-id': got!.id,
      'webhook-timestamp': got!.timestamp,
      'webhook-signature': got!.signature,
    };
    expect(new Webhook(secret).verify(got!.body, headers)).toEqual({
      type: 'binding_application.status_changed',
      version: 1,
      timestamp: event.at.toISOString(),
      data: {
        applicationId: event.payload.applicationId,
        caseId: 'case-1',
        procuratorateId: 'SH-310000',
        lawyerId: zhang,
        status: 'APPROVED',
        eventId: event.id,
        occurredAt: event.at.toISOString(),
      },
    });
    // Never the prosecutor's reason or the case name.
    expect(got!.body).not.toContain('材料');
    expect(got!.body).not.toContain('诈骗');
    expect(() =>
      new Webhook(secret).verify(got!.body.replace('APPROVED', 'REJECTED'), headers),
    ).toThrow(/signature/i);
    expect(() =>
      new Webhook(secret).verify(got!.body, { ...headers, 'webhook-id': 'msg_x' }),
    ).toThrow();

    const log = await h.call(admin, deliveriesQuery, { app: 'yj_sign' });
    const [row] = log.data.webhookDeliveries.edges;
    expect(row.node).toMatchObject({
      id: m._id,
      status: 'DELIVERED',
      attempts: 1,
      lastHttpStatus: 200,
      log: [{ attempt: 1, replay: false, outcome: 'SUCCEEDED', httpStatus: 200 }],
    });
    expect(row.node.lastLatencyMs).toBeGreaterThanOrEqual(0);
  });

  it('delivers to a receiver that was down once it is back, with the same webhook-id', async () => {
    await lawFirmEndpoint('yj_down');
    identity.grants.set(`yj_down:${zhang}`, ['bindings:read']);
    await receiver.stop();
    try {
      const event = await bindingChanged(zhang, 'REJECTED');
      const waiting = await until(async () => {
        const doc = await messageOf(event.id, 'yj_down');
        return doc && doc.attempts >= 2 ? doc : null;
      });
      expect(waiting.status).toBe('PENDING');
      expect(waiting.lastError).toMatch(/ECONNREFUSED/);
      expect(waiting.nextAttemptAt).not.toBeNull();
      await receiver.start();
      const done = await until(async () => {
        const doc = await messageOf(event.id, 'yj_down');
        return doc?.status === 'DELIVERED' ? doc : null;
      });
      expect(receivedFor(done._id).map((r) => r.answered)).toEqual([200]);
      const attempts = await h.models.WebhookAttempt.find({ messageId: done._id }).lean();
      expect(attempts.map((a) => a.outcome).slice(-1)).toEqual(['SUCCEEDED']);
      expect(attempts.filter((a) => a.outcome === 'FAILED').length).toBeGreaterThanOrEqual(2);
    } finally {
      await receiver.start().catch(() => undefined);
    }
  });

  it('retries a 5xx answer and records each answer in the delivery log', async () => {
    await lawFirmEndpoint('yj_5xx');
    identity.grants.set(`yj_5xx:${zhang}`, ['bindings:read']);
    receiver.state.status = 503;
    const event = await bindingChanged(zhang, 'APPROVED');
    await until(async () => ((await messageOf(event.id, 'yj_5xx'))?.attempts ?? 0) >= 2);
    receiver.state.status = 204;
    const done = await until(async () => {
      const doc = await messageOf(event.id, 'yj_5xx');
      return doc?.status === 'DELIVERED' ? doc : null;
    });
    const answers = receivedFor(done._id).map((r) => r.answered);
    expect(answers.slice(-1)).toEqual([204]);
    expect(answers.slice(0, -1).every((a) => a === 503)).toBe(true);
    expect(done.lastHttpStatus).toBe(204);
  });

  it('replays a delivered message with the same webhook-id and a signed replay marker', async () => {
    await lawFirmEndpoint('yj_replay');
    identity.grants.set(`yj_replay:${zhang}`, ['bindings:read']);
    const event = await bindingChanged(zhang, 'APPROVED');
    const m = await until(async () => {
      const doc = await messageOf(event.id, 'yj_replay');
      return doc?.status === 'DELIVERED' ? doc : null;
    });
    const r = await h.call(
      admin,
      /* GraphQL */ `
        mutation ($id: ID!) {
          replayWebhookDelivery(id: $id) {
            id
            replays
          }
        }
      `,
      { id: m._id },
    );
    expect(r.data.replayWebhookDelivery).toEqual({ id: m._id, replays: 1 });
    const both = await until(() => (receivedFor(m._id).length === 2 ? receivedFor(m._id) : null));
    const [first, replay] = both as [(typeof both)[0], (typeof both)[0]];
    expect(replay.verified).toBe(true);
    expect(first.payload).not.toHaveProperty('replay');
    expect(replay.payload).toMatchObject({
      type: 'binding_application.status_changed',
      data: first.payload!.data as object,
      replay: { id: expect.stringMatching(/^rpl_/), requestedAt: expect.any(String) },
    });
    const log = await until(async () => {
      const a = await h.models.WebhookAttempt.find({ messageId: m._id }).lean();
      return a.length === 2 ? a : null;
    });
    expect(log.map((a) => [a.replay, a.outcome])).toEqual([
      [false, 'SUCCEEDED'],
      [true, 'SUCCEEDED'],
    ]);
    const audit = await h.models.WebhookAudit.find({ kind: 'DELIVERY_REPLAYED' }).lean();
    expect(audit.map((a) => a.detail)).toEqual([`${receiver.url}：重新投递 ${m._id}`]);
  });

  it('sends both signatures during a rotation overlap, then only the new one', async () => {
    const { endpoint, secret: old } = await lawFirmEndpoint('yj_rotate');
    identity.grants.set(`yj_rotate:${zhang}`, ['bindings:read']);
    const rotated = await h.call(
      admin,
      /* GraphQL */ `
        mutation ($id: ID!) {
          rotateWebhookSecret(id: $id, overlapSeconds: 3600) {
            secret
            endpoint {
              secrets {
                id
                expiresAt
              }
            }
          }
        }
      `,
      { id: endpoint.id },
    );
    const fresh: string = rotated.data.rotateWebhookSecret.secret;
    expect(fresh).not.toBe(old);
    expect(rotated.data.rotateWebhookSecret.endpoint.secrets).toHaveLength(2);
    const event = await bindingChanged(zhang, 'APPROVED');
    const m = await until(async () => {
      const doc = await messageOf(event.id, 'yj_rotate');
      return doc?.status === 'DELIVERED' ? doc : null;
    });
    const [got] = receivedFor(m._id);
    const headers = {
      'webhook-id': got!.id,
      'webhook-timestamp': got!.timestamp,
      'webhook-signature': got!.signature,
    };
    expect(got!.signature.split(' ')).toHaveLength(2);
    expect(new Webhook(old).verify(got!.body, headers)).toBeTruthy();
    expect(new Webhook(fresh).verify(got!.body, headers)).toBeTruthy();

    await h.call(
      admin,
      /* GraphQL */ `
        mutation ($id: ID!) {
          rotateWebhookSecret(id: $id, overlapSeconds: 0) {
            secret
          }
        }
      `,
      { id: endpoint.id },
    );
    const after = await h.models.WebhookEndpoint.findById(endpoint.id).lean();
    expect(after!.secrets.filter((s) => !s.expiresAt || s.expiresAt > new Date())).toHaveLength(1);
  });
});

describe('who receives what', () => {
  it('sends a law-firm app only events of lawyers whose live grant includes the scope; revoking stops them', async () => {
    await lawFirmEndpoint('yj_grants', [
      'binding_application.status_changed',
      'reading_application.status_changed',
    ]);
    identity.grants.set(`yj_grants:${zhang}`, ['bindings:read']);
    // 李 granted nothing; 张 did not grant applications:read.
    const notGranted = await bindingChanged(li, 'APPROVED');
    const otherScope = await h.db.bus.publish('reading.readingApplication.changed', {
      applicationId: 'ra-1',
      lawyerId: zhang,
      procuratorateId: 'SH-310000',
      caseId: 'case-1',
      status: 'APPROVED',
    });
    const granted = await bindingChanged(zhang, 'APPROVED');
    await until(async () => (await messageOf(granted.id, 'yj_grants'))?.status === 'DELIVERED');
    expect(await messageOf(notGranted.id, 'yj_grants')).toBeNull();
    expect(await messageOf(otherScope.id, 'yj_grants')).toBeNull();

    // Revoked: a new event is not delivered, nor is a retry waiting in the queue.
    receiver.state.status = 500;
    const pending = await bindingChanged(zhang, 'REVOKED');
    await until(async () => ((await messageOf(pending.id, 'yj_grants'))?.attempts ?? 0) >= 1);
    identity.grants.delete(`yj_grants:${zhang}`);
    receiver.state.status = 200;
    const afterRevoke = await bindingChanged(zhang, 'APPROVED');
    const cancelled = await until(async () => {
      const doc = await messageOf(pending.id, 'yj_grants');
      return doc?.status === 'CANCELLED' ? doc : null;
    });
    expect(cancelled.lastError).toContain('授权已撤销');
    expect(receivedFor(cancelled._id).every((r) => r.answered === 500)).toBe(true);
    // The consumer has handled the later event (a sentinel for another app proves it ran).
    await lawFirmEndpoint('yj_sentinel');
    identity.grants.set(`yj_sentinel:${li}`, ['bindings:read']);
    const sentinel = await bindingChanged(li, 'APPROVED');
    await until(async () => (await messageOf(sentinel.id, 'yj_sentinel'))?.status === 'DELIVERED');
    expect(await messageOf(afterRevoke.id, 'yj_grants')).toBeNull();
    // A replay after the revocation is refused.
    const replay = await h.call(
      admin,
      /* GraphQL */ `
        mutation ($id: ID!) {
          replayWebhookDelivery(id: $id) {
            id
          }
        }
      `,
      { id: cancelled._id },
    );
    expect(codes(replay)).toEqual(['FORBIDDEN']);
  });

  it("never sends a procuratorate system another procuratorate's events", async () => {
    identity.applications.set(system, {
      id: system,
      name: '上海检察业务应用系统',
      kind: 'PROCURATORATE_SYSTEM',
      scopes: ['cases:read', 'cases:write'],
      procuratorateId: 'SH-310000',
      status: 'ACTIVE',
    });
    const { secret } = (
      await h.call(admin, addEndpoint, {
        app: system,
        input: { url: receiver.url, eventTypes: ['binding_application.status_changed'] },
      })
    ).data.addWebhookEndpoint;
    receiver.state.secrets.push(secret);
    // A lawyer no law-firm app here holds a grant of: only the system may hear of these.
    const elsewhere = await bindingChanged('lawyer-wu', 'SUBMITTED', 'AH-340000');
    const own = await bindingChanged('lawyer-wu', 'SUBMITTED', 'SH-310000');
    const m = await until(async () => {
      const doc = await messageOf(own.id, 'yj_system_sh');
      return doc?.status === 'DELIVERED' ? doc : null;
    });
    expect(m.applicationId).toBe(system);
    expect(await h.models.WebhookMessage.countDocuments({ eventId: elsewhere.id })).toBe(0);
    expect(receiver.received.some((r) => r.body.includes('AH-340000'))).toBe(false);
  });

  it('makes one message per endpoint and event, however often the event is handled', async () => {
    await lawFirmEndpoint('yj_once');
    identity.grants.set(`yj_once:${zhang}`, ['bindings:read']);
    const event = await bindingChanged(zhang, 'APPROVED');
    await until(async () => (await messageOf(event.id, 'yj_once'))?.status === 'DELIVERED');
    await Promise.all(
      Array.from({ length: 5 }, () => h.services.webhooks.deliveries.handleEvent(event)),
    );
    const messages = await h.models.WebhookMessage.find({
      eventId: event.id,
      applicationId: 'yj_once',
    }).lean();
    expect(messages).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receivedFor(messages[0]!._id)).toHaveLength(1);
  });
});
