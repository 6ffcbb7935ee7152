// Integrators' applications at the gateway's edge (issue 16 part 5), through the real stack:
// per-application rate limits on HTTP, file routes and WebSocket operations (429 + Retry-After,
// RATE_LIMITED), reset after the window, other applications unaffected, a changed limit applied
// from the next request; each request attributed to its application in a JSON log line and in
// the metrics' client label (never from a header).
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMetrics } from '@yuejuan/platform';
import { shanghai } from './fixtures.ts';
import { createTestClock, gql, ok } from './identity-fixtures.ts';
import { adminToken, clientCredentials, registerApp, startOAuthStack } from './oauth-fixtures.ts';
import { post } from './http.ts';
import type { Stack } from './stack.ts';

const clock = createTestClock();
let stack: Stack;
let origin: string;
let admin: string;
let edge: { url: string };
const logLines: string[] = [];
let caseId: string;
const window = 4000;

const caseQuery = /* GraphQL */ `
  query AppCase($id: ID!) {
    case(id: $id) {
      id
      caseName
    }
  }
`;

async function system(name: string, rateLimitPerMinute: number) {
  const app = await registerApp(stack, admin, {
    name,
    kind: 'PROCURATORATE_SYSTEM',
    procuratorateId: shanghai.id,
    scopes: ['cases:read', 'volumes:write'],
    rateLimitPerMinute,
  });
  return { ...app, token: await clientCredentials(origin, app, 'cases:read volumes:write') };
}

const ask = (token: string, headers: Record<string, string> = {}) =>
  post(
    edge.url,
    { query: caseQuery, variables: { id: caseId } },
    {
      authorization: `Bearer ${token}`,
      ...headers,
    },
  );

const fileRoute = (token: string) =>
  fetch(new URL(`/uploads/volumes?caseId=${caseId}&title=x`, edge.url), {
    method: 'POST',
    body: Buffer.from('%PDF-1.4\n'),
    headers: { 'content-type': 'application/pdf', authorization: `Bearer ${token}` },
  });

/** One query over the gateway's WebSocket as the application: its data or its errors. */
async function overSocket(token: string) {
  const client = createClient({
    url: edge.url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  try {
    return await new Promise<{
      data?: unknown;
      errors?: { extensions?: Record<string, unknown> }[];
    }>((resolve) => {
      let result: { data?: unknown } | undefined;
      client.subscribe(
        { query: caseQuery, variables: { id: caseId } },
        {
          next: (r) => (result = r as never),
          error: (errors) => resolve({ errors: errors as never }),
          complete: () => resolve(result ?? {}),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

/** Waits until a fresh window has started for an application that was refused. */
const pause = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000 + 100));

const updateLimit = (clientId: string, rateLimitPerMinute: number) =>
  gql(
    stack,
    /* GraphQL */ `
      mutation Limit($id: ID!, $input: ApplicationInput!) {
        updateApplication(id: $id, input: $input) {
          rateLimitPerMinute
        }
      }
    `,
    {
      id: clientId,
      input: {
        name: '限额系统甲',
        organisation: '测试单位',
        kind: 'PROCURATORATE_SYSTEM',
        procuratorateId: shanghai.id,
        scopes: ['cases:read', 'volumes:write'],
        rateLimitPerMinute,
        contactName: '联系人',
        contactPhone: '021-12345678',
      },
    },
    { token: admin },
  );

beforeAll(async () => {
  ({ stack, origin } = await startOAuthStack('app_limits', clock));
  await stack.services.cases.cases.importProcuratorate(shanghai);
  await stack.services.cases.cases.importCase(shanghai.id, {
    departmentCaseNumber: '沪检刑诉〔2026〕301号',
    caseName: '限额测试案',
    suspects: ['赵某'],
    stage: 'PROSECUTION_REVIEW',
  });
  caseId = (await stack.services.cases.models.Case.findOne({
    procuratorateId: shanghai.id,
  }).lean())!._id;
  admin = await adminToken(stack);
  // The application's "minute" is 4 s here, so a test sees a window end.
  edge = await stack.startGateway({ APP_RATE_LIMIT_WINDOW_MS: String(window) }, logLines);
});
afterAll(async () => {
  await stack?.stop();
});

describe('per-application rate limits', () => {
  it('trips with 429, Retry-After and RATE_LIMITED on HTTP, file routes and WebSocket alike, spares another application, and resets', async () => {
    const a = await system('限额系统甲', 3);
    const b = await system('限额系统乙', 3);
    // Three points: one HTTP operation, one file-route request, one WebSocket operation.
    const first = await ask(a.token);
    expect(first.status, first.text).toBe(200);
    expect(first.json?.data?.case?.id).toBe(caseId);
    expect((await fileRoute(a.token)).status).not.toBe(429);
    const socket = await overSocket(a.token);
    expect(socket.errors, JSON.stringify(socket)).toBeUndefined();

    const refused = await ask(a.token);
    expect(refused.status).toBe(429);
    const retryAfter = Number((await fetchRetryAfter(a.token)) ?? NaN);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(window / 1000));
    const error = refused.json?.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: 'RATE_LIMITED', rateLimit: 'application' });
    expect(error?.extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(error?.message).toMatch(/请求过于频繁/);
    const file = await fileRoute(a.token);
    expect(file.status).toBe(429);
    expect(Number(file.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(
      ((await file.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions
        .code,
    ).toBe('RATE_LIMITED');
    const overWs = await overSocket(a.token);
    expect(overWs.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });

    // Another application has its own limit.
    const other = await ask(b.token);
    expect(other.status, other.text).toBe(200);

    // After Retry-After, a new window.
    await pause(retryAfter);
    const again = await ask(a.token);
    expect(again.status, again.text).toBe(200);
  });

  it('applies a changed limit from the application’s next request', async () => {
    const a = await system('限额系统丙', 2);
    expect((await ask(a.token)).status).toBe(200);
    expect((await ask(a.token)).status).toBe(200);
    expect((await ask(a.token)).status).toBe(429);
    // Raised in the console: the very next request is allowed, with the new limit.
    ok(await updateLimit(a.clientId, 5));
    for (let i = 0; i < 5; i++) expect((await ask(a.token)).status, `request ${i + 1}`).toBe(200);
    expect((await ask(a.token)).status).toBe(429);
    // Lowered to one: one request per window.
    ok(await updateLimit(a.clientId, 1));
    expect((await ask(a.token)).status).toBe(200);
    expect((await ask(a.token)).status).toBe(429);
  });
});

/** Retry-After of a request that is refused now. */
async function fetchRetryAfter(token: string) {
  const res = await fetch(edge.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: caseQuery, variables: { id: caseId } }),
  });
  expect(res.status).toBe(429);
  return res.headers.get('retry-after');
}

describe('attribution', () => {
  let metrics: Awaited<ReturnType<typeof serveMetrics>>;
  beforeAll(async () => {
    metrics = await serveMetrics('gateway', 0);
  });
  afterAll(async () => {
    await metrics?.close();
  });

  it('names the application in a JSON log line and in the metrics’ client label, whatever the client-name header says', async () => {
    const a = await system('归属系统', 100);
    logLines.length = 0;
    const answer = await ask(a.token, { 'apollographql-client-name': 'portal' });
    expect(answer.status, answer.text).toBe(200);
    const line = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'application request' && l.app === a.clientId);
    expect(line).toMatchObject({
      app: a.clientId,
      operation: 'AppCase',
      outcome: 'ok',
      transport: 'http',
    });
    // Never the secret or the token.
    expect(logLines.join('\n')).not.toContain(a.token);
    expect(logLines.join('\n')).not.toContain(a.clientSecret);

    const scrape = await (await fetch(metrics.url)).text();
    expect(scrape).toContain(
      `yuejuan_gateway_operations_total{operation="AppCase",client="app:${a.clientId}",outcome="ok"}`,
    );
    // A person's request cannot claim to be the application by a header.
    const forged = await post(
      edge.url,
      { query: '{ procuratorates { id } }' },
      { 'apollographql-client-name': `app:${a.clientId}` },
    );
    expect(forged.status).toBe(200);
    const after = await (await fetch(metrics.url)).text();
    expect(after).toContain(
      'yuejuan_gateway_operations_total{operation="(anonymous)",client="other",outcome="ok"}',
    );
    expect(after).not.toMatch(new RegExp(`operation="\\(anonymous\\)",client="app:${a.clientId}"`));
  });
});
