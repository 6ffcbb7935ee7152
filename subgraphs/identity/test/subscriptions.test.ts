import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { mintInternalToken, type Identity } from '@yuejuan/runtime';
import { anonymous } from '@yuejuan/runtime/testing';
import { startIdentity, type Harness } from './harness.ts';
import { liSi, seedPeople, zhangSan } from './fixtures.ts';
import { activate, newTicket, signed, ticketOps, type Verifier } from './verifier.ts';

const ticketChanged = /* GraphQL */ `
  subscription T($id: ID!, $secret: String!) {
    loginTicketChanged(id: $id, ticketSecret: $secret) {
      id
      status
    }
  }
`;
const challengeChanged = /* GraphQL */ `
  subscription C($id: ID!) {
    verificationChallengeChanged(id: $id) {
      id
      purpose
      status
    }
  }
`;

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('identity subscriptions over WebSocket (as the gateway connects)', () => {
  let h: Harness;
  let zhang: Verifier;
  let li: Verifier;
  let client: Client;

  /** Subscribes as `identity` (a per-subscription gateway token); collects what arrives. */
  const subscribe = async (
    query: string,
    variables: Record<string, unknown>,
    identity: Identity = anonymous,
  ) => {
    const events: unknown[] = [];
    let error: unknown = null;
    let completed = false;
    const extensions = {
      'x-internal-token': await mintInternalToken(h.secrets.internal, 'identity', identity),
    };
    const stop = client.subscribe(
      { query, variables, extensions },
      {
        next: (e) => void events.push(e),
        error: (e) => {
          error = e;
        },
        complete: () => {
          completed = true;
        },
      },
    );
    return { events, stop, error: () => error, completed: () => completed };
  };

  beforeAll(async () => {
    h = await startIdentity('identity_subs', {
      env: { LOGIN_TICKET_TTL_SECONDS: '2', CHALLENGE_TTL_SECONDS: '2' },
    });
    await seedPeople(h);
    zhang = await activate(h, zhangSan, '13600000001');
    li = await activate(h, liSi, '13600000002');
    client = createClient({
      url: h.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      connectionParams: async () => ({
        'x-internal-token': await mintInternalToken(h.secrets.internal, 'identity', anonymous),
      }),
    });
  });
  afterEach(async () => {
    await until(() => h.db.bus.stats().listeners === 0);
  });
  afterAll(async () => {
    await client?.dispose();
    await h?.stop();
  });

  it('tells the creating browser each change of its ticket: scanned, confirmed, redeemed', async () => {
    const t = await newTicket(h);
    const sub = await subscribe(ticketChanged, { id: t.id, secret: t.secret });
    await until(() => h.db.bus.stats().listeners === 1);
    await h.call(anonymous, ticketOps.scan, {
      input: await signed(zhang, 'scan', t.qrPayload, h.clock.now()),
    });
    await h.call(anonymous, ticketOps.confirm, {
      input: await signed(zhang, 'confirm', t.qrPayload, h.clock.now()),
    });
    await h.call(anonymous, ticketOps.redeem, { id: t.id, secret: t.secret });
    await until(() => sub.events.length === 3);
    expect(sub.events).toEqual(
      ['SCANNED', 'CONFIRMED', 'REDEEMED'].map((status) => ({
        data: { loginTicketChanged: { id: t.id, status } },
      })),
    );
    sub.stop();
  });

  it('tells the browser when its ticket expires unanswered', async () => {
    const t = await newTicket(h);
    const sub = await subscribe(ticketChanged, { id: t.id, secret: t.secret });
    await until(() => sub.events.length === 1, 8000);
    expect(sub.events).toEqual([{ data: { loginTicketChanged: { id: t.id, status: 'EXPIRED' } } }]);
    sub.stop();
  });

  it('refuses a subscription without the ticket secret, and sends nothing from other tickets', async () => {
    const mine = await newTicket(h);
    const other = await newTicket(h);
    const refused = await subscribe(ticketChanged, { id: mine.id, secret: other.secret });
    await until(() => refused.events.length + (refused.error() ? 1 : 0) > 0);
    expect(JSON.stringify(refused.events.concat(refused.error() ?? []))).toContain(
      'TICKET_INVALID',
    );

    const sub = await subscribe(ticketChanged, { id: mine.id, secret: mine.secret });
    await until(() => h.db.bus.stats().listeners === 1);
    await h.call(anonymous, ticketOps.scan, {
      input: await signed(li, 'scan', other.qrPayload, h.clock.now()),
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(sub.events).toEqual([]);
    sub.stop();
  });

  it('tells the asking session that its step-up was confirmed, and no other session', async () => {
    const opened = await h.services.sessions.open({
      role: 'LAWYER',
      subjectId: zhang.lawyerId,
      method: 'SMS_CODE',
    });
    const identity = (await h.services.sessions.resolve(opened.token))!;
    const asked = await h.call(
      identity,
      /* GraphQL */ `
        mutation {
          createVerificationChallenge(purpose: DOWNLOAD) {
            id
            qrPayload
          }
        }
      `,
    );
    const { id, qrPayload } = asked.data.createVerificationChallenge;

    const intruder = await h.services.sessions.open({
      role: 'LAWYER',
      subjectId: li.lawyerId,
      method: 'SMS_CODE',
    });
    const refused = await subscribe(
      challengeChanged,
      { id },
      (await h.services.sessions.resolve(intruder.token))!,
    );
    await until(() => refused.events.length + (refused.error() ? 1 : 0) > 0);
    expect(JSON.stringify(refused.events.concat(refused.error() ?? []))).toContain(
      'CHALLENGE_INVALID',
    );

    const sub = await subscribe(challengeChanged, { id }, identity);
    await until(() => h.db.bus.stats().listeners === 1);
    await h.call(
      anonymous,
      /* GraphQL */ `
        mutation C($input: SignedTicketActionInput!) {
          confirmVerificationChallenge(input: $input) {
            id
          }
        }
      `,
      { input: await signed(zhang, 'step-up', qrPayload, h.clock.now()) },
    );
    await until(() => sub.events.length === 1);
    expect(sub.events).toEqual([
      { data: { verificationChallengeChanged: { id, purpose: 'DOWNLOAD', status: 'CONFIRMED' } } },
    ]);
    sub.stop();
  });
});
