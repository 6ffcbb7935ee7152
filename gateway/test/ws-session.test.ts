// The WebSocket is held to the session as HTTP is (issue 14): every operation on the socket
// resolves the session again, so the end of the verified window and a revocation count at
// once, and a logout closes the session's sockets as soon as identity announces it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import type { Stack } from './stack.ts';
import { seedPeople, zhangSan } from './fixtures.ts';
import {
  activate,
  createTestClock,
  gql,
  ok,
  register,
  scanLogin,
  startIdentityStack,
  until,
  wsClient,
  type Verifier,
} from './identity-fixtures.ts';

const verifiedQuery = /* GraphQL */ `
  {
    viewer {
      session {
        id
        identityVerified
      }
    }
  }
`;
const logout = /* GraphQL */ `
  mutation {
    logout
  }
`;

/** Runs one query over the socket; resolves with its result or its error. */
function over(
  client: Client,
  query: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
): Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  return new Promise((resolve) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
    let result: { data?: any; errors?: any[] } = {};
    client.subscribe(
      { query },
      {
        next: (value) => {
          result = value as typeof result;
        },
        error: (err) =>
          resolve({
            errors: Array.isArray(err)
              ? err
              : [
                  {
                    message: String((err as { reason?: string }).reason ?? err),
                    extensions: {
                      code: 'SOCKET_CLOSED',
                      closeCode: (err as { code?: number }).code,
                    },
                  },
                ],
          }),
        complete: () => resolve(result),
      },
    );
  });
}

/** Resolves with the close code once the client's socket closes. */
const closed = (client: Client) =>
  new Promise<number>((resolve) =>
    client.on('closed', (event) => resolve((event as { code: number }).code)),
  );

describe('sessions on the gateway WebSocket', () => {
  const clock = createTestClock();
  let stack: Stack;
  let zhang: Verifier;
  const clients: Client[] = [];
  const socket = (token: string) => {
    const c = wsClient(stack, token);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    // A recheck period far longer than any wait below: what closes a socket here is the push or the per-operation check.
    stack = await startIdentityStack('ws-session', clock, {
      gatewayEnv: { WS_SESSION_RECHECK_MS: '60000' },
    });
    await seedPeople(stack);
    zhang = await activate(stack, zhangSan, '13600000031');
    await register(stack, zhang, clock);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await stack?.stop();
  });

  it('sees the verified window end on the socket exactly when HTTP does', async () => {
    clock.advance(61);
    const { token } = await scanLogin(stack, zhang, clock);
    const client = socket(token);
    expect((await over(client, verifiedQuery)).data.viewer.session.identityVerified).toBe(true);
    clock.advance(31 * 60); // past the 30-minute verified window of a scan login
    expect(
      ok(await gql(stack, verifiedQuery, {}, { token })).data.viewer.session.identityVerified,
    ).toBe(false);
    expect((await over(client, verifiedQuery)).data.viewer.session.identityVerified).toBe(false);
  });

  it('refuses the next operation of a session revoked behind its back, and closes the socket', async () => {
    clock.advance(61);
    const { token } = await scanLogin(stack, zhang, clock);
    const client = socket(token);
    const sessionId = (await over(client, verifiedQuery)).data.viewer.session.id as string;
    const ended = closed(client);
    // Revoked in the database without an announcement: only the per-operation check can see it.
    await stack.services.identity.models.Session.updateOne(
      { sessionId },
      { $set: { revokedAt: new Date() } },
    ).exec();
    const answer = await over(client, verifiedQuery);
    expect(answer.data?.viewer ?? null).toBeNull();
    expect(answer.errors?.length).toBeGreaterThan(0);
    expect(await ended).toBe(4401);
  });

  it('closes every socket of a session as soon as it logs out over HTTP, long before the periodic recheck', async () => {
    clock.advance(61);
    const { token } = await scanLogin(stack, zhang, clock);
    const first = socket(token);
    const second = socket(token);
    clock.advance(61);
    const other = socket((await scanLogin(stack, zhang, clock)).token);
    for (const c of [first, second, other])
      expect((await over(c, verifiedQuery)).data.viewer.session.id).toBeTruthy();
    const codes = Promise.all([closed(first), closed(second)]);
    let otherClosed = false;
    other.on('closed', () => {
      otherClosed = true;
    });
    const started = Date.now();
    ok(await gql(stack, logout, {}, { token }));
    expect(await codes).toEqual([4401, 4401]);
    expect(Date.now() - started).toBeLessThan(15_000);
    // Another session of the same lawyer keeps its socket.
    expect((await over(other, verifiedQuery)).data.viewer.session.id).toBeTruthy();
    expect(otherClosed).toBe(false);
    await until(() => stack.gateway.subscriptionStats().clients >= 1);
  });
});
