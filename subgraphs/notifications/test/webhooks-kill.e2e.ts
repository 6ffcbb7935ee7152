// A webhook sender stopped hard (SIGKILL of the notifications subgraph's process): the
// delivery it held is taken over once its lease ends, and a delivery whose 2xx was recorded is
// never sent again. The receiver is real, on loopback, and counts by webhook-id what it
// accepted (answered 2xx), as an idempotent receiver would.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminIdentity, testMongoUri, testSecrets } from '@yuejuan/runtime/testing';
import { startNotifications, until, type Harness } from './harness.ts';
import { startFakeWebhookIdentity, type FakeWebhookIdentity } from './fakes/identity-webhooks.ts';
import { startReceiver, type Receiver } from './webhooks/receiver.ts';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const leaseMs = 3000;
let secrets: ReturnType<typeof testSecrets>;
let identity: FakeWebhookIdentity;
let h: Harness;
let receiver: Receiver;
const children: ChildProcess[] = [];

/** The notifications subgraph as its own process, on this test's databases, with workers. */
async function startSender(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      MONGODB_URI: testMongoUri(),
      NOTIFICATIONS_DB: h.db.name,
      EVENTS_DB: `${h.db.name}_ev`,
      YUEJUAN_INTERNAL_SECRET: secrets.internal,
      PORT: String(port),
      IDENTITY_INTERNAL_URL: identity.url,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_LEASE_MS: String(leaseMs),
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_BACKOFF_BASE_MS: '100',
      WEBHOOK_POLL_MS: '200',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  await until(
    () =>
      fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
  );
  // The durable consumer starts reading from "now" once it has opened its stream.
  await new Promise((r) => setTimeout(r, 1000));
  return child;
}

const killHard = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

const publish = (lawyerId: string) =>
  h.db.bus.publish('cases.bindingApplication.changed', {
    applicationId: `ba-${Math.random()}`,
    lawyerId,
    procuratorateId: 'SH-310000',
    caseId: 'case-1',
    status: 'APPROVED',
  });
const messageOf = (eventId: string) => h.models.WebhookMessage.findOne({ eventId }).lean().exec();

beforeAll(async () => {
  secrets = testSecrets();
  identity = await startFakeWebhookIdentity(secrets.internal);
  // In this process only GraphQL (to add the endpoint): the sender runs in the child processes.
  h = await startNotifications('webhooks_kill', {
    secrets,
    env: {
      IDENTITY_INTERNAL_URL: identity.url,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      NOTIFICATIONS_WORKERS: 'false',
    },
  });
  receiver = await startReceiver();
  identity.applications.set('yj_kill', {
    id: 'yj_kill',
    name: '律所系统',
    kind: 'LAW_FIRM',
    scopes: ['bindings:read'],
    procuratorateId: null,
    status: 'ACTIVE',
  });
  identity.grants.set('yj_kill:lawyer-a', ['bindings:read']);
  const added = await h.call(
    adminIdentity('admin-kill'),
    /* GraphQL */ `
      mutation ($input: WebhookEndpointInput!) {
        addWebhookEndpoint(applicationId: "yj_kill", input: $input) {
          secret
        }
      }
    `,
    { input: { url: receiver.url, eventTypes: ['binding_application.status_changed'] } },
  );
  receiver.state.secrets.push(added.data.addWebhookEndpoint.secret);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) await killHard(c);
  await receiver?.close();
  await h?.stop();
  await identity?.close();
});

it('takes over a delivery whose sender was killed before the receiver answered, once', async () => {
  const first = await startSender(6101);
  receiver.state.hold = true; // the request arrives and is left unanswered…
  const arrived = new Promise<void>((resolve) => {
    receiver.state.onRequest = () => resolve();
  });
  const event = await publish('lawyer-a');
  await arrived;
  await killHard(first); // …while its sender dies
  receiver.state.onRequest = null;
  receiver.state.hold = false;
  const killedAt = Date.now();

  await startSender(6102);
  const m = await until(async () => {
    const doc = await messageOf(event.id);
    return doc?.status === 'DELIVERED' ? doc : null;
  }, 30_000);
  const requests = receiver.received.filter((r) => r.id === m._id);
  expect(requests.map((r) => r.answered)).toEqual([null, 200]);
  expect(requests.every((r) => r.verified)).toBe(true);
  expect(receiver.accepted().get(m._id)).toHaveLength(1);
  // Not before the dead sender's lease ended.
  expect(m.deliveredAt!.getTime()).toBeGreaterThanOrEqual(killedAt + leaseMs - 1500);
  const log = await h.models.WebhookAttempt.find({ messageId: m._id }).lean();
  expect(log.map((a) => [a.attempt, a.outcome])).toEqual([[2, 'SUCCEEDED']]);
});

it('never sends a delivery again once its 2xx was recorded, though its sender was killed', async () => {
  const sender = children.at(-1)!;
  const event = await publish('lawyer-a');
  const m = await until(async () => {
    const doc = await messageOf(event.id);
    return doc?.status === 'DELIVERED' ? doc : null;
  }, 30_000);
  await killHard(sender);
  await startSender(6103);
  // The new sender works (a later event is delivered), and well past any lease of the dead one…
  const later = await publish('lawyer-a');
  await until(async () => (await messageOf(later.id))?.status === 'DELIVERED', 30_000);
  await new Promise((r) => setTimeout(r, leaseMs + 1000));
  // …the first was received once.
  expect(receiver.received.filter((r) => r.id === m._id).map((r) => r.answered)).toEqual([200]);
  expect(await h.models.WebhookQueue.countDocuments({})).toBe(0);
});
