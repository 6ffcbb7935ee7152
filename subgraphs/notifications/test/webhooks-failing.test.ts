// Webhooks that keep failing: retries stop after the retry window (FAILED), and an endpoint whose
// every attempt failed for WEBHOOK_DISABLE_AFTER_MS is disabled with a notice for administrators.
// The schedule is shrunk to milliseconds; the receiver always answers 500.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminIdentity, testSecrets } from '@yuejuan/runtime/testing';
import { startNotifications, until, type Harness } from './harness.ts';
import { startFakeWebhookIdentity, type FakeWebhookIdentity } from './fakes/identity-webhooks.ts';
import { startReceiver, type Receiver } from './webhooks/receiver.ts';

const admin = adminIdentity('admin-failing');
let identity: FakeWebhookIdentity;
let h: Harness;
let receiver: Receiver;

beforeAll(async () => {
  const secrets = testSecrets();
  identity = await startFakeWebhookIdentity(secrets.internal);
  h = await startNotifications('webhooks_failing', {
    secrets,
    env: {
      IDENTITY_INTERNAL_URL: identity.url,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_BASE_MS: '100',
      WEBHOOK_BACKOFF_CAP_MS: '200',
      WEBHOOK_RETRY_WINDOW_MS: '700',
      WEBHOOK_DISABLE_AFTER_MS: '1500',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_LEASE_MS: '3000',
      WEBHOOK_POLL_MS: '100',
    },
  });
  receiver = await startReceiver();
  receiver.state.status = 500;
  identity.applications.set('yj_failing', {
    id: 'yj_failing',
    name: '总是失败',
    kind: 'PROCURATORATE_SYSTEM',
    scopes: ['cases:read'],
    procuratorateId: 'SH-310000',
    status: 'ACTIVE',
  });
});
afterAll(async () => {
  await receiver?.close();
  await h?.stop();
  await identity?.close();
});

const publish = () =>
  h.db.bus.publish('cases.bindingApplication.changed', {
    applicationId: `ba-${Math.random()}`,
    lawyerId: 'lawyer-x',
    procuratorateId: 'SH-310000',
    caseId: 'case-1',
    status: 'SUBMITTED',
  });

it('gives a message up as FAILED after the retry window, then disables the endpoint that keeps failing', async () => {
  const added = await h.call(
    admin,
    /* GraphQL */ `
      mutation ($input: WebhookEndpointInput!) {
        addWebhookEndpoint(applicationId: "yj_failing", input: $input) {
          secret
          endpoint {
            id
          }
        }
      }
    `,
    { input: { url: receiver.url, eventTypes: ['binding_application.status_changed'] } },
  );
  receiver.state.secrets.push(added.data.addWebhookEndpoint.secret);
  const endpointId: string = added.data.addWebhookEndpoint.endpoint.id;

  const first = await publish();
  const failed = await until(async () => {
    const m = await h.models.WebhookMessage.findOne({ eventId: first.id }).lean();
    const queued = await h.models.WebhookQueue.countDocuments({ messageId: m?._id });
    return m?.status === 'FAILED' && queued === 0 ? m : null;
  });
  expect(failed.attempts).toBeGreaterThanOrEqual(3);
  expect(failed.lastHttpStatus).toBe(500);
  // Every attempt was a real, signed request the receiver refused.
  const got = receiver.received.filter((r) => r.id === failed._id);
  expect(got).toHaveLength(failed.attempts);
  expect(got.every((r) => r.verified && r.answered === 500)).toBe(true);

  // Still failing past WEBHOOK_DISABLE_AFTER_MS: the platform disables it and says so.
  await new Promise((r) => setTimeout(r, 900));
  await publish();
  const notice = await until(async () => {
    const r = await h.call(
      admin,
      /* GraphQL */ `
        {
          webhookEndpointsDisabledBySystem {
            id
            status
            disabledBySystem
            disabledReason
            changes {
              kind
              actorId
            }
          }
        }
      `,
    );
    return r.data.webhookEndpointsDisabledBySystem.length ? r.data : null;
  });
  const [endpoint] = notice.webhookEndpointsDisabledBySystem;
  expect(endpoint).toMatchObject({ id: endpointId, status: 'DISABLED', disabledBySystem: true });
  expect(endpoint.disabledReason).toContain('持续投递失败');
  expect(endpoint.changes[0]).toEqual({ kind: 'ENDPOINT_DISABLED', actorId: null });

  // Disabled: a new event makes no request at all.
  const before = receiver.received.length;
  const later = await publish();
  await new Promise((r) => setTimeout(r, 500));
  expect(await h.models.WebhookMessage.countDocuments({ eventId: later.id })).toBe(0);
  expect(receiver.received.length).toBe(before);
});
