// Webhooks with the real identity: an administrator adds endpoints through the gateway, a
// lawyer's consent (the real OAuth flow) decides what a law-firm system hears, revoking it stops
// deliveries, and a procuratorate system hears only its own procuratorate. Events are published
// on the bus as cases publishes them; a receiver on loopback counts what arrives by webhook-id.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@yuejuan/database';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { guangdong, lawyerToken, seedPeople, shanghai } from './fixtures.ts';
import { createTestClock, gql, ok, startIdentityStack } from './identity-fixtures.ts';
import { adminToken, authorizeAsLawyer, registerApp } from './oauth-fixtures.ts';
import type { Stack } from './stack.ts';

const clock = createTestClock();
let stack: Stack;
let origin: string;
let people: Awaited<ReturnType<typeof seedPeople>>;
let admin: string;
let lawFirm: { clientId: string; clientSecret: string; redirectUri: string };
let system: { clientId: string };
const received: { id: string; body: Record<string, unknown>; url: string }[] = [];
let receiver: http.Server;
let receiverUrl: string;

const addEndpoint = /* GraphQL */ `
  mutation Add($app: ID!, $url: String!) {
    addWebhookEndpoint(
      applicationId: $app
      input: { url: $url, eventTypes: ["binding_application.status_changed"] }
    ) {
      endpoint {
        id
      }
      secret
    }
  }
`;

beforeAll(async () => {
  const port = await freePort();
  stack = await startIdentityStack('webhooks', clock, {
    gatewayEnv: { PORT: String(port) },
    subgraphEnv: {
      identity: {
        OAUTH_ISSUER: `http://127.0.0.1:${port}/oauth`,
        OAUTH_CONSENT_URL: 'http://127.0.0.1:3399/oauth/consent',
      },
      notifications: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_MS: '200' },
    },
  });
  origin = `http://127.0.0.1:${port}`;
  people = await seedPeople(stack);
  admin = await adminToken(stack);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({
        id: String(req.headers['webhook-id']),
        body: JSON.parse(body) as Record<string, unknown>,
        url: req.url ?? '',
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const redirectUri = 'http://127.0.0.1:3398/callback';
  lawFirm = {
    ...(await registerApp(stack, admin, {
      name: '明理律所案件管理系统',
      kind: 'LAW_FIRM',
      redirectUris: [redirectUri],
      scopes: ['profile:read', 'bindings:read'],
    })),
    redirectUri,
  };
  system = await registerApp(stack, admin, {
    name: '上海检察业务应用系统',
    kind: 'PROCURATORATE_SYSTEM',
    procuratorateId: shanghai.id,
    scopes: ['cases:read', 'cases:write'],
  });
  for (const [app, path] of [
    [lawFirm.clientId, '/law-firm'],
    [system.clientId, '/system'],
  ] as const)
    ok(await gql(stack, addEndpoint, { app, url: `${receiverUrl}${path}` }, { token: admin }));
});
afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await stack?.stop();
});

const publish = (lawyerId: string, procuratorateId: string) =>
  stack.bus.cases.publish('cases.bindingApplication.changed', {
    applicationId: `ba-${Math.random().toString(36).slice(2)}`,
    lawyerId,
    procuratorateId,
    caseId: 'case-1',
    status: 'APPROVED',
  });
const arrivedAt = (path: string, eventId: string) =>
  received.filter(
    (r) => r.url === path && (r.body.data as { eventId?: string }).eventId === eventId,
  );
async function until(check: () => boolean, ms = 15_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('sends a law-firm system only the events of lawyers who granted it, and stops when the grant is revoked', async () => {
  const zhang = await lawyerToken(stack, people.zhangSanId);
  await authorizeAsLawyer(origin, stack, zhang, { ...lawFirm, scope: 'bindings:read' });

  const notGranted = await publish(people.liSiId, shanghai.id);
  const granted = await publish(people.zhangSanId, shanghai.id);
  await until(() => arrivedAt('/law-firm', granted.id).length === 1);
  // The system hears both (its own procuratorate), so li's event has certainly been handled.
  await until(() => arrivedAt('/system', notGranted.id).length === 1);
  expect(arrivedAt('/law-firm', notGranted.id)).toEqual([]);

  const [grant] = ok(await gql(stack, '{ appAuthorizations { id } }', {}, { token: zhang })).data
    .appAuthorizations;
  ok(
    await gql(stack, 'mutation R($id: ID!) { revokeAppAuthorization(id: $id) }', grant, {
      token: zhang,
    }),
  );
  const afterRevoke = await publish(people.zhangSanId, shanghai.id);
  await until(() => arrivedAt('/system', afterRevoke.id).length === 1);
  await new Promise((r) => setTimeout(r, 500));
  expect(arrivedAt('/law-firm', afterRevoke.id)).toEqual([]);
});

it("never sends a procuratorate system another procuratorate's events", async () => {
  const elsewhere = await publish(people.liSiId, guangdong.id);
  const own = await publish(people.liSiId, shanghai.id);
  await until(() => arrivedAt('/system', own.id).length === 1);
  await new Promise((r) => setTimeout(r, 300));
  expect(arrivedAt('/system', elsewhere.id)).toEqual([]);
  expect(
    received.some(
      (r) => (r.body.data as { procuratorateId?: string }).procuratorateId === guangdong.id,
    ),
  ).toBe(false);
  // What arrived carries ids and status, never the names of people.
  const [got] = arrivedAt('/system', own.id);
  expect(Object.keys(got!.body.data as object).sort()).toEqual(
    [
      'applicationId',
      'caseId',
      'eventId',
      'lawyerId',
      'occurredAt',
      'procuratorateId',
      'status',
    ].sort(),
  );
});

it('lets an administrator read the delivery log through the gateway, and nobody else', async () => {
  const log = ok(
    await gql(
      stack,
      /* GraphQL */ `
        query ($app: ID!) {
          webhookDeliveries(applicationId: $app, filter: { status: DELIVERED }) {
            edges {
              node {
                id
                status
                lastHttpStatus
                log {
                  outcome
                  httpStatus
                }
              }
            }
          }
        }
      `,
      { app: system.clientId },
      { token: admin },
    ),
  ).data.webhookDeliveries.edges;
  expect(log.length).toBeGreaterThanOrEqual(3);
  expect(log[0].node).toMatchObject({
    status: 'DELIVERED',
    lastHttpStatus: 204,
    log: [{ outcome: 'SUCCEEDED', httpStatus: 204 }],
  });
  const lawyer = await lawyerToken(stack, people.liSiId);
  const refused = await gql(
    stack,
    '{ webhookEndpoints(applicationId: "x") { id } }',
    {},
    { token: lawyer },
  );
  expect((refused.errors ?? []).map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
});
