import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { internalTokenHeader, mintInternalToken } from '@yuejuan/runtime';
import { callSubgraph, lawyerIdentity } from '@yuejuan/runtime/testing';
import { startIdentity, type Harness } from './harness.ts';
import { seedPeople, type People } from './fixtures.ts';

const viewer = {
  query: /* GraphQL */ `
    {
      viewer {
        nextStep
      }
    }
  `,
};
const sdl = {
  query: /* GraphQL */ `
    {
      _service {
        sdl
      }
    }
  `,
};

describe('the gateway token in front of /graphql', () => {
  let h: Harness;
  let people: People;

  beforeAll(async () => {
    h = await startIdentity('identity_http');
    people = await seedPeople(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const expectRefused = (res: Awaited<ReturnType<typeof callSubgraph>>) => {
    expect(res.status).toBe(401);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  };

  it('refuses a request without a token with 401 UNAUTHENTICATED', async () => {
    expectRefused(await callSubgraph(h.url, viewer, { headers: {} }));
  });

  it('refuses a token signed with another secret', async () => {
    const forged = await mintInternalToken(
      randomBytes(32).toString('hex'),
      'identity',
      lawyerIdentity(people.zhangSanId),
    );
    expectRefused(
      await callSubgraph(h.url, viewer, { headers: { [internalTokenHeader]: forged } }),
    );
  });

  it('refuses a token minted for another subgraph', async () => {
    expectRefused(
      await callSubgraph(h.url, viewer, {
        secret: h.secrets.internal,
        audience: 'cases',
        identity: lawyerIdentity(people.zhangSanId),
      }),
    );
  });

  it('refuses a malformed token', async () => {
    expectRefused(
      await callSubgraph(h.url, viewer, { headers: { [internalTokenHeader]: 'not.a.jwt' } }),
    );
  });

  it('does not give the SDL away without a token', async () => {
    expectRefused(await callSubgraph(h.url, sdl, { headers: {} }));
    const allowed = await callSubgraph(h.url, sdl, {
      secret: h.secrets.internal,
      audience: 'identity',
      identity: lawyerIdentity(people.zhangSanId),
    });
    expect(allowed.status).toBe(200);
    expect((allowed.body.data?._service as { sdl: string }).sdl).toContain('type Lawyer');
  });
});

describe('the session resolution route of the gateway', () => {
  let h: Harness;
  let people: People;
  let route: string;

  beforeAll(async () => {
    h = await startIdentity('identity_resolve');
    people = await seedPeople(h);
    route = h.url.replace(/\/graphql$/, '/internal/sessions/resolve');
  });
  afterAll(async () => {
    await h?.stop();
  });

  const post = async (body: unknown, token?: string) => {
    const res = await fetch(route, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { [internalTokenHeader]: token } : {}),
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('turns a bearer token into its identity for the gateway only', async () => {
    const { token, session } = await h.services.sessions.open({
      role: 'LAWYER',
      subjectId: people.zhangSanId,
      method: 'SCAN',
    });
    const gateway = () => mintInternalToken(h.secrets.internal, 'identity', { role: 'ANONYMOUS' });
    expect(await post({ token }, await gateway())).toEqual({
      status: 200,
      body: {
        identity: {
          role: 'LAWYER',
          sessionId: session.sessionId,
          lawyerId: people.zhangSanId,
          verified: true,
        },
      },
    });
    expect(await post({ token: 'unknown' }, await gateway())).toEqual({
      status: 200,
      body: { identity: null },
    });
    const once = await gateway();
    expect((await post({ token }, once)).status).toBe(200);
    expect((await post({ token }, once)).status).toBe(401); // a gateway token is good for one request
    expect((await post({ token })).status).toBe(401);
    expect(
      (
        await post(
          { token },
          await mintInternalToken(h.secrets.internal, 'cases', { role: 'ANONYMOUS' }),
        )
      ).status,
    ).toBe(401);
  });
});
