// Client addresses are what the connection says, not what the client says (issue 14): the
// gateway reads X-Forwarded-For only from a listed proxy that presents the proxy secret, as
// under npm start, where the clients' servers proxy and browsers share their loopback address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './stack.ts';
import { seedPeople, zhangSan } from './fixtures.ts';
import {
  activate,
  codes,
  createTestClock,
  ok,
  ops,
  register,
  signed,
  startIdentityStack,
  type Verifier,
} from './identity-fixtures.ts';

const proxySecret = 'p'.repeat(40);

describe('the client address at the gateway', () => {
  const clock = createTestClock();
  let stack: Stack;
  let zhang: Verifier;

  /** One operation with exactly these headers. */
  async function call(
    query: string,
    variables: Record<string, unknown>,
    headers: Record<string, string>,
  ) {
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
      data?: any;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    };
  }

  beforeAll(async () => {
    stack = await startIdentityStack('client-address', clock, {
      gatewayEnv: { YUEJUAN_TRUSTED_PROXIES: '127.0.0.1,::1', YUEJUAN_PROXY_SECRET: proxySecret },
      subgraphEnv: { identity: { RATE_WINDOW_SECONDS: '60', RATE_TICKETS_PER_IP: '3' } },
    });
    await seedPeople(stack);
    zhang = await activate(stack, zhangSan, '13600000051');
    await register(stack, zhang, clock);
    clock.advance(120); // a new rate window for the tickets below
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('does not reset a per-IP limit for a client that rotates X-Forwarded-For', async () => {
    for (let i = 1; i <= 3; i++)
      ok({
        status: 200,
        text: '',
        ...(await call(ops.createTicket, {}, { 'x-forwarded-for': `203.0.113.${i}` })),
      });
    expect(codes(await call(ops.createTicket, {}, { 'x-forwarded-for': '203.0.113.200' }))).toEqual(
      ['RATE_LIMITED'],
    );
    expect(
      codes(
        await call(
          ops.createTicket,
          {},
          { 'x-forwarded-for': '203.0.113.201', 'x-yuejuan-proxy': 'not-the-secret' },
        ),
      ),
    ).toEqual(['RATE_LIMITED']);
  });

  it("shows the verifier the address the browser connected from, not one it claimed; the clients' servers are believed", async () => {
    clock.advance(120);
    const scanIp = async (headers: Record<string, string>) => {
      const created = await call(
        ops.createTicket,
        {},
        { 'user-agent': 'Mozilla/5.0 Chrome/120.0', ...headers },
      );
      const qr = created.data!.createLoginTicket.ticket.qrPayload as string;
      const scanned = await call(
        ops.scan,
        { input: await signed(zhang, 'scan', qr, clock.now()) },
        {},
      );
      return scanned.data!.scanLoginTicket.ip as string;
    };
    // An attacker's browser, talking to the gateway directly, claims the lawyer's office address.
    expect(await scanIp({ 'x-forwarded-for': '198.51.100.77' })).toBe('127.0.0.1');
    // The portal's server, a listed proxy with the secret, passes on the browser's real address.
    expect(
      await scanIp({ 'x-forwarded-for': '198.51.100.78', 'x-yuejuan-proxy': proxySecret }),
    ).toBe('198.51.100.78');
  });
});
