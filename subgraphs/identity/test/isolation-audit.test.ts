import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintInternalToken, type Identity } from '@yuejuan/runtime';
import { adminIdentity, anonymous, prosecutorIdentity } from '@yuejuan/runtime/testing';
import { codes, startIdentity, type Harness } from './harness.ts';
import { liSi, seedPeople, wangProsecutor, zhangSan, type People } from './fixtures.ts';
import { activate, newTicket, scanLogin, type Verifier } from './verifier.ts';

const auditQuery = /* GraphQL */ `
  query Audit($filter: AuditEventFilter, $first: Int, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          kind
          actorId
          actorRole
          ip
          detail
          at
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

describe("lawyer A cannot read lawyer B's data", () => {
  let h: Harness;
  let people: People;
  let zhang: Verifier;
  let li: Verifier;
  let a: Identity;

  beforeAll(async () => {
    h = await startIdentity('identity_isolation');
    people = await seedPeople(h);
    zhang = await activate(h, zhangSan, '13100000001');
    li = await activate(h, liSi, '13100000002');
    a = (await scanLogin(h, zhang)).identity;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("refuses B's record and every personal field of B, directly and through entity references", async () => {
    const direct = await h.call(
      a,
      /* GraphQL */ `
        query ($id: ID!) {
          lawyer(id: $id) {
            id
            name
            devices {
              id
            }
          }
        }
      `,
      { id: li.lawyerId },
    );
    expect(direct.data?.lawyer ?? null).toBeNull();
    expect(codes(direct)).toEqual(['FORBIDDEN']);
    for (const field of [
      'idNumberMasked',
      'phoneMasked',
      'consent { version }',
      'devices { id name }',
    ]) {
      const r = await h.call(
        a,
        /* GraphQL */ `query($r: [_Any!]!) { _entities(representations: $r) { ... on Lawyer { ${field} } } }`,
        { r: [{ __typename: 'Lawyer', id: li.lawyerId }] },
      );
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(r.data)).not.toContain(li.deviceId);
      expect(JSON.stringify(r.data)).not.toContain('0002');
    }
    const prosecutor = await h.call(
      prosecutorIdentity(people.wangId, wangProsecutor.procuratorateId),
      /* GraphQL */ `
        query ($r: [_Any!]!) {
          _entities(representations: $r) {
            ... on Lawyer {
              devices {
                id
              }
            }
          }
        }
      `,
      { r: [{ __typename: 'Lawyer', id: li.lawyerId }] },
    );
    expect(codes(prosecutor)).toEqual(['FORBIDDEN']);
  });

  it("refuses B's step-up challenge, B's login ticket and B's device", async () => {
    const b = (await scanLogin(h, li)).identity;
    const challenge = await h.call(
      b,
      /* GraphQL */ `
        mutation {
          createVerificationChallenge(purpose: DOWNLOAD) {
            id
          }
        }
      `,
    );
    expect(
      codes(
        await h.call(
          a,
          /* GraphQL */ `
            query ($id: ID!) {
              verificationChallenge(id: $id) {
                id
                status
              }
            }
          `,
          { id: challenge.data.createVerificationChallenge.id },
        ),
      ),
    ).toEqual(['CHALLENGE_INVALID']);
    const ticket = await newTicket(h);
    expect(
      codes(
        await h.call(
          a,
          /* GraphQL */ `
            query ($id: ID!) {
              loginTicket(id: $id, ticketSecret: "guess") {
                id
              }
            }
          `,
          { id: ticket.id },
        ),
      ),
    ).toEqual(['TICKET_INVALID']);
    expect(
      codes(
        await h.call(
          a,
          /* GraphQL */ `
            mutation ($id: ID!) {
              revokeDevice(id: $id) {
                id
              }
            }
          `,
          { id: li.deviceId },
        ),
      ),
    ).toEqual(['NOT_FOUND']);
    expect(codes(await h.call(a, auditQuery, {}))).toEqual(['FORBIDDEN']);
    const viewer = await h.call(
      a,
      /* GraphQL */ `
        {
          viewer {
            lawyer {
              id
            }
          }
        }
      `,
    );
    expect(viewer.data.viewer.lawyer.id).toBe(people.zhangSanId);
  });
});

describe('the audit trail, for administrators', () => {
  let h: Harness;
  let people: People;

  beforeAll(async () => {
    h = await startIdentity('identity_audit');
    people = await seedPeople(h);
    const zhang = await activate(h, zhangSan, '13100000011');
    await scanLogin(h, zhang);
    await scanLogin(h, zhang);
    await h.call(
      anonymous,
      /* GraphQL */ `
        mutation {
          loginWithPassword(phone: "13100000011", password: "Wrong2025") {
            token
          }
        }
      `,
      {},
      { ip: '192.0.2.50' },
    );
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('lists events newest first, filtered by kind, actor and time, page by page', async () => {
    const all = await h.call(adminIdentity(people.adminId), auditQuery, {});
    expect(all.errors).toBeUndefined();
    const kinds = all.data.auditEvents.edges.map((e: { node: { kind: string } }) => e.node.kind);
    expect(kinds).toEqual(['LOGIN_FAILED', 'LOGIN', 'LOGIN', 'DEVICE_ACTIVATED']);
    expect(all.data.auditEvents.edges[0].node).toMatchObject({
      ip: '192.0.2.50',
      actorId: null,
      actorRole: null,
      detail: expect.stringContaining('password'),
    }); // not registered: no account to name
    expect(JSON.stringify(all)).not.toContain('Wrong2025');

    const logins = await h.call(adminIdentity(people.adminId), auditQuery, {
      filter: { kind: 'LOGIN', actorId: people.zhangSanId },
      first: 1,
    });
    expect(logins.data.auditEvents.edges).toHaveLength(1);
    expect(logins.data.auditEvents.pageInfo.hasNextPage).toBe(true);
    const next = await h.call(adminIdentity(people.adminId), auditQuery, {
      filter: { kind: 'LOGIN' },
      first: 1,
      after: logins.data.auditEvents.pageInfo.endCursor,
    });
    expect(next.data.auditEvents.edges[0].node.id).not.toBe(
      logins.data.auditEvents.edges[0].node.id,
    );
    expect(next.data.auditEvents.pageInfo.hasNextPage).toBe(false);

    const future = new Date(h.clock.now().getTime() + 3600_000).toISOString();
    expect(
      (await h.call(adminIdentity(people.adminId), auditQuery, { filter: { from: future } })).data
        .auditEvents.edges,
    ).toEqual([]);
    expect(
      (await h.call(adminIdentity(people.adminId), auditQuery, { filter: { to: future } })).data
        .auditEvents.edges,
    ).toHaveLength(4);
    expect(
      codes(
        await h.call(adminIdentity(people.adminId), auditQuery, { filter: { from: 'yesterday' } }),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(codes(await h.call(adminIdentity(people.adminId), auditQuery, { after: '!!' }))).toEqual(
      ['BAD_USER_INPUT'],
    );
  });

  it('is refused to everyone else', async () => {
    expect(codes(await h.call(anonymous, auditQuery, {}))).toEqual(['UNAUTHENTICATED']);
    expect(
      codes(
        await h.call(
          prosecutorIdentity(people.wangId, wangProsecutor.procuratorateId),
          auditQuery,
          {},
        ),
      ),
    ).toEqual(['FORBIDDEN']);
  });
});

describe('internal routes', () => {
  let h: Harness;
  let people: People;
  const post = async (path: string, body: unknown, identity?: Identity, audience = 'identity') => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (identity)
      headers['x-internal-token'] = await mintInternalToken(h.secrets.internal, audience, identity);
    const res = await fetch(h.url.replace(/\/graphql$/, path), {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const service = { role: 'SERVICE', service: 'notifications' } as const;

  beforeAll(async () => {
    h = await startIdentity('identity_internal');
    people = await seedPeople(h);
    await activate(h, zhangSan, '13100000021');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers /internal/contacts to services only, with names and phones', async () => {
    const ok = await post(
      '/internal/contacts',
      { ids: [people.zhangSanId, people.wangId, people.liSiId, 'unknown'] },
      service,
    );
    expect(ok).toEqual({
      status: 200,
      body: {
        contacts: [
          {
            id: people.zhangSanId,
            role: 'LAWYER',
            name: zhangSan.name,
            phone: '13100000021',
            licenceNumber: zhangSan.licenceNumber,
          },
          {
            id: people.wangId,
            role: 'PROSECUTOR',
            name: wangProsecutor.name,
            phone: wangProsecutor.phone,
          },
          {
            id: people.liSiId,
            role: 'LAWYER',
            name: liSi.name,
            phone: null,
            licenceNumber: liSi.licenceNumber,
          },
        ],
      },
    });
    expect((await post('/internal/contacts', { ids: [people.zhangSanId] })).status).toBe(401);
    expect(
      (await post('/internal/contacts', { ids: [people.zhangSanId] }, service, 'cases')).status,
    ).toBe(401);
    expect(
      (
        await post(
          '/internal/contacts',
          { ids: [people.zhangSanId] },
          adminIdentity(people.adminId),
        )
      ).status,
    ).toBe(403);
    expect((await post('/internal/contacts', { ids: [people.zhangSanId] }, anonymous)).status).toBe(
      403,
    );
    expect(await post('/internal/contacts', { ids: 'x' }, service)).toMatchObject({
      status: 400,
      body: { code: 'BAD_USER_INPUT' },
    });
  });

  it("answers /internal/contacts/by-procuratorate with that procuratorate's prosecutors, to services only", async () => {
    const ok = await post(
      '/internal/contacts/by-procuratorate',
      { procuratorateId: wangProsecutor.procuratorateId },
      service,
    );
    expect(ok).toEqual({
      status: 200,
      body: {
        contacts: [
          {
            id: people.wangId,
            role: 'PROSECUTOR',
            name: wangProsecutor.name,
            phone: wangProsecutor.phone,
          },
        ],
      },
    });
    expect(
      (await post('/internal/contacts/by-procuratorate', { procuratorateId: 'XX-000000' }, service))
        .body,
    ).toEqual({ contacts: [] });
    expect(
      (
        await post(
          '/internal/contacts/by-procuratorate',
          { procuratorateId: wangProsecutor.procuratorateId },
          adminIdentity(people.adminId),
        )
      ).status,
    ).toBe(403);
    expect(
      (await post('/internal/contacts/by-procuratorate', { procuratorateId: '../x' }, service))
        .status,
    ).toBe(400);
  });

  it('refuses a user identity on /internal/sessions/resolve', async () => {
    expect(
      (await post('/internal/sessions/resolve', { token: 'x' }, adminIdentity(people.adminId)))
        .status,
    ).toBe(403);
    expect(
      await post(
        '/internal/sessions/resolve',
        { token: 'x' },
        { role: 'SERVICE', service: 'gateway' },
      ),
    ).toEqual({ status: 200, body: { identity: null } });
  });
});
