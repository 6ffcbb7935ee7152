import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.ts';
import { lawyerToken, seedPeople, shanghai } from './fixtures.ts';
import { internalsIn, post } from './http.ts';

const timeoutMs = 1000;
/** Public data from two subgraphs: the procuratorate (cases, nullable) and the consent text (identity). */
const twoSubgraphs = /* GraphQL */ `
  query TwoSubgraphs($id: ID!) {
    procuratorate(id: $id) {
      name
    }
    currentConsentText {
      version
    }
  }
`;

/** Polls `probe` every 25 ms until it holds; resolves with the milliseconds it took. */
async function timeUntil(probe: () => Promise<boolean>, limitMs = 10_000): Promise<number> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return performance.now() - started;
}

describe('a subgraph that is down, slow or drops the connection', () => {
  let stack: Stack;
  let token: string;
  let internalUrls: string[];
  const ask = () => post(stack.url, { query: twoSubgraphs, variables: { id: shanghai.id } });

  beforeAll(async () => {
    stack = await startStack('faults', {
      proxies: true,
      gatewayEnv: { SUBGRAPH_TIMEOUT_MS: String(timeoutMs) },
    });
    const people = await seedPeople(stack);
    token = await lawyerToken(stack, people.zhangSanId);
    internalUrls = [
      ...Object.values(stack.urls),
      ...Object.values(stack.proxies!).map((p) => p.url),
    ];
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(() => {
    for (const proxy of Object.values(stack.proxies!)) proxy.setMode('pass');
  });

  /** The partial answer: identity's data, and cases' field null with an error naming cases. */
  function expectPartial(answer: Awaited<ReturnType<typeof ask>>, code: string) {
    expect(answer.status).toBe(200);
    expect(answer.json?.data).toEqual({
      procuratorate: null,
      currentConsentText: { version: expect.any(String) },
    });
    expect(answer.json?.errors).toHaveLength(1);
    expect(answer.json?.errors?.[0]?.extensions).toEqual({ code, serviceName: 'cases' });
    expect(answer.json?.errors?.[0]?.message).toMatch(/案件服务/);
    expect(internalsIn(answer.text, internalUrls)).toEqual([]);
  }

  it('down: partial data with an error for its fields, then recovery as soon as it returns', async () => {
    await stack.proxies!.cases.down();
    expectPartial(await ask(), 'SUBGRAPH_UNAVAILABLE');
    await stack.proxies!.cases.up();
    const recoveryMs = await timeUntil(async () =>
      Boolean((await ask()).json?.data?.procuratorate),
    );
    console.log(`recovered ${recoveryMs.toFixed(0)} ms after the subgraph came back`);
    expect(recoveryMs).toBeLessThan(1000);
  });

  it('slow: gives up at its timeout with partial data instead of hanging', async () => {
    stack.proxies!.cases.setMode('delay', timeoutMs * 4);
    const started = performance.now();
    const answer = await ask();
    const elapsed = performance.now() - started;
    expectPartial(answer, 'SUBGRAPH_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 50);
    expect(elapsed).toBeLessThan(timeoutMs * 2);
  });

  it('hanging (accepts, never answers): the same timeout', async () => {
    stack.proxies!.cases.setMode('hang');
    expectPartial(await ask(), 'SUBGRAPH_TIMEOUT');
  });

  it('drops the connection mid-mutation: one error, and the mutation is sent exactly once', async () => {
    const notifications = stack.proxies!.notifications;
    notifications.setMode('reset');
    notifications.requests.length = 0;
    const answer = await post(
      stack.url,
      { query: 'mutation ReadAll { markAllNotificationsRead }' },
      { authorization: `Bearer ${token}` },
    );
    expect(answer.status).toBe(200);
    expect(answer.json?.errors?.[0]?.extensions).toEqual({
      code: 'SUBGRAPH_UNAVAILABLE',
      serviceName: 'notifications',
    });
    await new Promise((r) => setTimeout(r, 300)); // room for a retry, were there one
    expect(notifications.requests.filter((r) => r.requestLine.startsWith('POST'))).toHaveLength(1);
  });

  it('identity down: logged-in callers get a clear 503, public data is still served', async () => {
    await stack.proxies!.identity.down();
    try {
      const loggedIn = await post(
        stack.url,
        { query: '{ viewer { nextStep } }' },
        { authorization: `Bearer ${token}` },
      );
      expect(loggedIn.status).toBe(503);
      expect(loggedIn.json?.errors?.[0]?.extensions).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        serviceName: 'identity',
      });
      expect(internalsIn(loggedIn.text, internalUrls)).toEqual([]);
      const publicData = await post(stack.url, {
        query: '{ procuratorates(onlineReadingOnly: true) { id } }',
      });
      expect(publicData.json?.data).toEqual({ procuratorates: [{ id: shanghai.id }] });
    } finally {
      await stack.proxies!.identity.up();
    }
  });

  describe('what the gateway tells subgraphs about the client', () => {
    const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) YuejuanTest/1.0';
    const lastHead = () => stack.proxies!.cases.requests.at(-1)!.headers;

    it('forwards the socket address and user agent, ignoring X-Forwarded-For by default', async () => {
      await post(
        stack.url,
        { query: '{ procuratorates { id } }' },
        { 'user-agent': userAgent, 'x-forwarded-for': '203.0.113.7' },
      );
      expect(lastHead()['x-client-ip']).toBe('127.0.0.1');
      expect(lastHead()['x-client-user-agent']).toBe(userAgent);
    });

    it('bounds the forwarded user agent', async () => {
      await post(
        stack.url,
        { query: '{ procuratorates { id } }' },
        { 'user-agent': `Agent/${'x'.repeat(1000)}` },
      );
      expect(lastHead()['x-client-user-agent']).toHaveLength(256);
    });

    it('behind a listed proxy (YUEJUAN_TRUSTED_PROXIES) takes the address that proxy appended last', async () => {
      const behindProxy = await stack.startGateway({ YUEJUAN_TRUSTED_PROXIES: '127.0.0.1,::1' });
      await post(
        behindProxy.url,
        { query: '{ procuratorates { id } }' },
        { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' },
      );
      expect(lastHead()['x-client-ip']).toBe('203.0.113.7');
      await post(
        behindProxy.url,
        { query: '{ procuratorates { id } }' },
        { 'x-forwarded-for': 'not-an-address' },
      );
      expect(lastHead()['x-client-ip']).toBe('127.0.0.1');
    });
  });
});
