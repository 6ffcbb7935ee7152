import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind, indexOwned, newId } from '@yuejuan/runtime';
import { startStack, type Stack } from './stack.ts';
import { lawyerToken, seedApplications, seedPeople, shanghai, zhangSan } from './fixtures.ts';

const personalCentre = /* GraphQL */ `
  query PersonalCentre($id: ID!, $first: Int) {
    lawyer(id: $id) {
      name
      licenceNumber
      lawFirm
      bindingApplications(first: $first) {
        totalCount
        edges {
          node {
            status
            caseSummary {
              caseName
              departmentCaseNumber
              procuratorate {
                name
                province
              }
            }
          }
        }
      }
      boundCases {
        totalCount
        edges {
          node {
            caseName
          }
        }
      }
      notifications {
        unreadCount
      }
    }
  }
`;

describe('the federated graph through the real gateway', () => {
  let stack: Stack;
  let people: Awaited<ReturnType<typeof seedPeople>>;
  let token: string;

  beforeAll(async () => {
    stack = await startStack('federation');
    people = await seedPeople(stack);
    await seedApplications(stack, people.zhangSanId, 50);
    const notes = [
      {
        _id: newId(),
        recipientId: people.zhangSanId,
        recipientRole: 'LAWYER',
        kind: 'BINDING_APPROVED',
        title: '案件绑定申请已通过',
        body: '您的案件绑定申请已审核通过。',
        readAt: null,
      },
      {
        _id: newId(),
        recipientId: people.zhangSanId,
        recipientRole: 'LAWYER',
        kind: 'BINDING_APPROVED',
        title: '案件绑定申请已通过',
        body: '您的案件绑定申请已审核通过。',
        readAt: new Date(),
      },
    ];
    // As the notifications service writes them: into the recipient's id sets (FerretDB), then them.
    const { Notification } = stack.services.notifications.models;
    await indexOwned(Notification, notes);
    await Notification.insertMany(notes);
    token = await lawyerToken(stack, people.zhangSanId);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('returns a lawyer with data owned by three subgraphs in one query', async () => {
    const result = await stack.query(personalCentre, { id: people.zhangSanId, first: 50 }, token);
    expect(result.errors).toBeUndefined();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
    const lawyer = result.data!.lawyer as any;
    expect(lawyer).toMatchObject({
      name: zhangSan.name,
      licenceNumber: zhangSan.licenceNumber,
      lawFirm: zhangSan.lawFirm,
    });
    expect(lawyer.bindingApplications.totalCount).toBe(50);
    expect(lawyer.bindingApplications.edges).toHaveLength(50);
    expect(lawyer.bindingApplications.edges[0].node.caseSummary.procuratorate).toEqual({
      name: shanghai.name,
      province: shanghai.province,
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
    expect(lawyer.bindingApplications.edges.map((e: any) => e.node.caseSummary.caseName)).toContain(
      '测试案件50',
    );
    expect(lawyer.boundCases.totalCount).toBe(17);
    expect(lawyer.notifications.unreadCount).toBe(1);
  });

  it('batches entity lookups: database commands do not grow with the list (5 vs 50)', async () => {
    // Count all four databases during the same request: attach every listener first.
    const measure = async (first: number) => {
      const listeners = Object.entries(stack.db).map(([name, conn]) => {
        const seen: string[] = [];
        const fn = (e: { commandName: string; databaseName: string }) => {
          if (e.databaseName === conn.name) seen.push(e.commandName);
        };
        conn.getClient().on('commandStarted', fn);
        return { name, seen, off: () => conn.getClient().off('commandStarted', fn) };
      });
      const r = await stack.query(personalCentre, { id: people.zhangSanId, first }, token);
      expect(r.errors).toBeUndefined();
      listeners.forEach((l) => l.off());
      return Object.fromEntries(listeners.map((l) => [l.name, l.seen]));
    };
    const small = await measure(5);
    const large = await measure(50);
    console.log(
      `database commands for the personal centre: 5 applications ${JSON.stringify(small)}; 50 applications ${JSON.stringify(large)}`,
    );
    // A fixed ceiling per subgraph, from the query's shape alone: identity = session + lawyer;
    // cases = 2 counts + 2 pages + at most 2 case batches (the two lists may or may not share a
    // tick) + 1 procuratorate batch; notifications = the unread count alone (a connection runs
    // only what is selected: no page, no total). N+1 would mean 50+. On FerretDB each of the
    // lawyer's lists first reads the lawyer's id set (its head, and the change after it: 2 `_id`
    // reads; runtime ownedIndex) instead of one scanning query: cases 7 + 3 × 2, notifications 3.
    const ferret = (await databaseKind(stack.db.cases.getClient())) === 'ferretdb';
    const ceiling: Record<string, number> = ferret
      ? { identity: 2, cases: 13, reading: 0, notifications: 3 }
      : { identity: 2, cases: 7, reading: 0, notifications: 1 };
    for (const name of Object.keys(ceiling)) {
      expect(small[name]!.length).toBeLessThanOrEqual(ceiling[name]!);
      expect(large[name]!.length).toBeLessThanOrEqual(ceiling[name]!);
    }
  });

  it('keeps each lawyer to their own data', async () => {
    const other = await lawyerToken(stack, people.liSiId);
    const result = await stack.query(personalCentre, { id: people.zhangSanId, first: 5 }, other);
    expect(result.data?.lawyer ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses anonymous callers with UNAUTHENTICATED and bad tokens with 401', async () => {
    const anonymous = await stack.query(personalCentre, { id: people.zhangSanId });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const bad = await stack.query('{ viewer { nextStep } }', {}, 'x'.repeat(43));
    expect(bad.status).toBe(401);
    expect(bad.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers viewer for a session and forgets it after logout', async () => {
    const t = await lawyerToken(stack, people.liSiId);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
    const viewer = await stack.query<{ viewer: any }>(
      '{ viewer { nextStep session { role method identityVerified } lawyer { name } } }',
      {},
      t,
    );
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data!.viewer).toEqual({
      nextStep: 'CONSENT',
      session: { role: 'LAWYER', method: 'SCAN', identityVerified: true },
      lawyer: { name: '李四' },
    });
    const logout = await stack.query('mutation { logout }', {}, t);
    expect(logout.data).toEqual({ logout: true });
    expect((await stack.query('{ viewer { nextStep } }', {}, t)).status).toBe(401);
  });

  it('shows administrators who reviews each procuratorate, and which have nobody (issue 15)', async () => {
    await stack.services.identity.registry.importAdministrator({
      name: '平台管理员',
      username: 'admin.fed',
    });
    const admin = (await stack.services.identity.models.Administrator.findOne({
      username: 'admin.fed',
    })
      .lean()
      .exec())!;
    const adminToken = (
      await stack.services.identity.sessions.open({
        role: 'ADMINISTRATOR',
        subjectId: admin._id,
        method: 'ADMINISTRATOR',
      })
    ).token;
    const query = /* GraphQL */ `
      {
        procuratorates {
          id
          reviewers {
            name
          }
        }
      }
    `;
    const answer = await stack.query<{
      procuratorates: { id: string; reviewers: { name: string }[] }[];
    }>(query, {}, adminToken);
    expect(answer.errors).toBeUndefined();
    const byId = Object.fromEntries(
      answer.data!.procuratorates.map((p) => [p.id, p.reviewers.map((r) => r.name)]),
    );
    expect(byId).toMatchObject({ [shanghai.id]: ['王检察官'], 'GD-440000': [] });
    // Lawyers do not learn who the prosecutors are.
    const lawyers = await stack.query(query, {}, token);
    expect(lawyers.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
  });

  it('serves public data anonymously', async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
    const result = await stack.query<{ procuratorates: any[] }>(
      '{ procuratorates(onlineReadingOnly: true) { id name onlineReadingEnabled } }',
    );
    expect(result.data!.procuratorates).toEqual([
      { id: shanghai.id, name: shanghai.name, onlineReadingEnabled: true },
    ]);
  });
});
