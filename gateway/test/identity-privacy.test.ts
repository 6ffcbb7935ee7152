// Lawyer A cannot read lawyer B's data through the gateway, on every query, entity field and
// subscription of the schema that returns personal data; invalid IDs, licences and phones are
// refused with a stable code, the field and a Chinese message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { indexOwned, newId } from '@yuejuan/runtime';
import type { Stack } from './stack.ts';
import { liSi, seedApplications, seedPeople, shanghai, zhangSan } from './fixtures.ts';
import {
  activate,
  chrome,
  codes,
  createRecordingSms,
  createTestClock,
  gql,
  newTicket,
  ok,
  ops,
  register,
  startIdentityStack,
  stepUp,
  wsClient,
  type Verifier,
} from './identity-fixtures.ts';

describe("lawyer A cannot read lawyer B's data through the gateway", () => {
  const clock = createTestClock();
  const sms = createRecordingSms();
  let stack: Stack;
  let people: Awaited<ReturnType<typeof seedPeople>>;
  let li: Verifier;
  let a: string;
  let b: string;
  const ids: Record<string, string> = {};
  const clients: Client[] = [];

  beforeAll(async () => {
    stack = await startIdentityStack('idprivacy', clock, { identityDeps: { sms } });
    people = await seedPeople(stack);
    const zhang = await activate(stack, zhangSan, '13400000001', {}, sms.read);
    li = await activate(stack, liSi, '13400000002', {}, sms.read);
    a = await register(stack, zhang, clock);
    b = await register(stack, li, clock);
    await seedApplications(stack, people.liSiId, 3, '沪检隐私');
    const binding = (await stack.services.cases.models.BindingApplication.findOne({
      lawyerId: people.liSiId,
      status: 'APPROVED',
    })
      .lean()
      .exec())!;
    ids.binding = binding._id;
    ids.case = binding.caseId;
    const { notice, undertaking } = ok(
      await gql(
        stack,
        /* GraphQL */ `
          {
            readingTerms {
              notice {
                version
              }
              undertaking {
                version
              }
            }
          }
        `,
      ),
    ).data.readingTerms;
    ids.reading = ok(
      await gql(
        stack,
        /* GraphQL */ `
          mutation R($input: ReadingApplicationInput!) {
            submitReadingApplication(input: $input) {
              id
            }
          }
        `,
        {
          input: {
            caseId: ids.case,
            noticeVersion: notice.version,
            undertakingVersion: undertaking.version,
          },
        },
        { token: b },
      ),
    ).data.submitReadingApplication.id;
    const prosecutor = (
      await stack.services.identity.sessions.open({
        role: 'PROSECUTOR',
        subjectId: people.prosecutorId,
        procuratorateId: shanghai.id,
        method: 'PROSECUTOR',
      })
    ).token;
    ids.appointment = ok(
      await gql(
        stack,
        /* GraphQL */ `
          mutation A($id: ID!) {
            approveReadingApplication(id: $id) {
              appointment {
                id
              }
            }
          }
        `,
        { id: ids.reading },
        { token: prosecutor },
      ),
    ).data.approveReadingApplication.appointment.id;
    const note = {
      _id: newId(),
      recipientId: people.liSiId,
      recipientRole: 'LAWYER',
      kind: 'BINDING_APPROVED',
      title: '案件绑定申请已通过',
      body: '李四的案件绑定申请已审核通过。',
      readAt: null,
    } as const;
    await indexOwned(stack.services.notifications.models.Notification, [note]);
    await stack.services.notifications.models.Notification.create(note);
    ids.challenge = await stepUp(stack, b, li, 'DOWNLOAD', clock);
    ids.device = li.deviceId;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await stack?.stop();
  });

  /** B's data the answers must not carry: name, licence, ids, the masked phone and B's token. */
  const traces = () => [liSi.name, liSi.licenceNumber, '0002', b, ...Object.values(ids)];
  const leaked = (text: string) => traces().filter((t) => text.includes(t));

  it('shows B every one of these fields (the queries can return the data)', async () => {
    const own = await gql(
      stack,
      /* GraphQL */ `
        query L($id: ID!) {
          lawyer(id: $id) {
            name
            phoneMasked
            devices {
              id
            }
            bindingApplications {
              totalCount
            }
            boundCases {
              totalCount
            }
            readingApplications {
              totalCount
            }
            appointments {
              totalCount
            }
            notifications {
              unreadCount
            }
          }
        }
      `,
      { id: people.liSiId },
      { token: b },
    );
    expect(own.errors).toBeUndefined();
    expect(own.data.lawyer).toMatchObject({
      name: liSi.name,
      phoneMasked: '134****0002',
      devices: [{ id: li.deviceId }],
      bindingApplications: { totalCount: 3 },
      boundCases: { totalCount: 1 },
      readingApplications: { totalCount: 1 },
      appointments: { totalCount: 1 },
    });
    expect(own.data.lawyer.notifications.unreadCount).toBeGreaterThanOrEqual(1); // the seeded one, and the approval's
    expect(
      ok(
        await gql(
          stack,
          /* GraphQL */ `
            query C($id: ID!) {
              verificationChallenge(id: $id) {
                id
                status
              }
            }
          `,
          { id: ids.challenge },
          { token: b },
        ),
      ).data.verificationChallenge.status,
    ).toBe('CONFIRMED');
  });

  const lawyerFields = [
    'name',
    'licenceNumber',
    'idNumberMasked',
    'lawFirm',
    'phoneMasked',
    'consent { version acceptedAt }',
    'devices { id name }',
    'bindingApplications { edges { node { id clientName } } }',
    'boundCases { edges { node { id caseName } } }',
    'readingApplications { edges { node { id status } } }',
    'appointments { edges { node { id status } } }',
    'notifications { edges { node { id body } } }',
  ];

  for (const field of lawyerFields) {
    it(`refuses A the field lawyer(B) { ${field} }`, async () => {
      const r = await gql(
        stack,
        /* GraphQL */ `query L($id: ID!) { lawyer(id: $id) { id ${field} } }`,
        { id: people.liSiId },
        { token: a },
      );
      expect(codes(r)).toContain('FORBIDDEN');
      expect(r.data?.lawyer ?? null).toBeNull();
      expect(r.errors![0]!.message).toMatch(/[\u4e00-\u9fa5]/);
      expect(leaked(r.text.replace(people.liSiId, ''))).toEqual([]);
    });
  }

  const byId: [string, string, string, string[]][] = [
    [
      'bindingApplication',
      /* GraphQL */ `
        query Q($id: ID!) {
          bindingApplication(id: $id) {
            id
            clientName
            suspectName
            lawyer {
              name
            }
          }
        }
      `,
      'binding',
      ['FORBIDDEN', 'NOT_FOUND'],
    ],
    [
      'case (bound to B only)',
      /* GraphQL */ `
        query Q($id: ID!) {
          case(id: $id) {
            id
            caseName
            suspects
          }
        }
      `,
      'case',
      ['FORBIDDEN', 'NOT_FOUND'],
    ],
    [
      'readingApplication',
      /* GraphQL */ `
        query Q($id: ID!) {
          readingApplication(id: $id) {
            id
            status
            lawyer {
              name
            }
          }
        }
      `,
      'reading',
      ['FORBIDDEN', 'NOT_FOUND'],
    ],
    [
      'appointment',
      /* GraphQL */ `
        query Q($id: ID!) {
          appointment(id: $id) {
            id
            status
            package {
              id
            }
          }
        }
      `,
      'appointment',
      ['FORBIDDEN', 'NOT_FOUND'],
    ],
    [
      'verificationChallenge',
      /* GraphQL */ `
        query Q($id: ID!) {
          verificationChallenge(id: $id) {
            id
            status
            purpose
          }
        }
      `,
      'challenge',
      ['CHALLENGE_INVALID'],
    ],
    [
      "revokeDevice (B's device)",
      /* GraphQL */ `
        mutation Q($id: ID!) {
          revokeDevice(id: $id) {
            id
          }
        }
      `,
      'device',
      ['NOT_FOUND'],
    ],
  ];
  for (const [name, query, key, expected] of byId) {
    it(`refuses A B's ${name}`, async () => {
      const r = await gql(stack, query, { id: ids[key] }, { token: a });
      expect(r.errors?.length).toBeGreaterThan(0);
      expect(expected).toContain(codes(r)[0]);
      expect(leaked(r.text.replace(ids[key]!, ''))).toEqual([]);
    });
  }

  it("keeps B's device active and B's records unchanged after A's tries", async () => {
    expect(
      (await stack.services.identity.models.Device.findById(li.deviceId).lean().exec())
        ?.revokedAt ?? null,
    ).toBeNull();
    expect(
      ok(
        await gql(
          stack,
          /* GraphQL */ `
            {
              viewer {
                lawyer {
                  id
                }
              }
            }
          `,
          {},
          { token: a },
        ),
      ).data.viewer.lawyer.id,
    ).toBe(people.zhangSanId);
  });

  it("refuses A the audit trail and the SMS log (administrators only), and B's login ticket without its secret", async () => {
    for (const query of [
      /* GraphQL */ `
        {
          auditEvents {
            edges {
              node {
                id
                actorId
                ip
                detail
              }
            }
          }
        }
      `,
      /* GraphQL */ `
        {
          smsMessages {
            edges {
              node {
                id
                phoneMasked
              }
            }
          }
        }
      `,
    ]) {
      const r = await gql(stack, query, {}, { token: a });
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(leaked(r.text)).toEqual([]);
    }
    const ticket = await newTicket(stack, chrome);
    expect(
      codes(await gql(stack, ops.readTicket, { id: ticket.id, secret: 'guess' }, { token: a })),
    ).toEqual(['TICKET_INVALID']);
  });

  it("refuses A a subscription to B's step-up challenge over the gateway WebSocket", async () => {
    const client = wsClient(stack, a);
    clients.push(client);
    const first = await new Promise<unknown>((resolve) =>
      client.subscribe(
        {
          query: /* GraphQL */ `
            subscription C($id: ID!) {
              verificationChallengeChanged(id: $id) {
                id
                status
                purpose
              }
            }
          `,
          variables: { id: ids.challenge },
        },
        { next: resolve, error: resolve, complete: () => resolve('complete') },
      ),
    );
    expect(JSON.stringify(first)).toContain('CHALLENGE_INVALID');
    expect(leaked(JSON.stringify(first).replace(ids.challenge!, ''))).toEqual([]);
  });
});

describe('invalid IDs, licences and phones through the gateway', () => {
  const clock = createTestClock();
  let stack: Stack;
  beforeAll(async () => {
    stack = await startIdentityStack('idinput', clock, {
      identityDeps: { sms: createRecordingSms() },
    });
    await seedPeople(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const refusedWith = (
    r: { errors?: { message: string; extensions?: Record<string, unknown> }[] },
    field: string,
    message: RegExp,
  ) => {
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.extensions!.field).toBe(field);
    expect(r.errors![0]!.message).toMatch(message);
    expect(r.errors![0]!.message).toMatch(/[\u4e00-\u9fa5]/);
  };

  it('refuses malformed resident ID numbers and licence numbers at activation, naming the field', async () => {
    const tries: [Partial<typeof liSi>, string, RegExp][] = [
      [
        { idNumber: `${liSi.idNumber.slice(0, 17)}${liSi.idNumber.endsWith('0') ? '1' : '0'}` },
        'idNumber',
        /校验位/,
      ],
      [{ idNumber: liSi.idNumber.slice(0, 17) }, 'idNumber', /18位/],
      [{ idNumber: '340102198802304021' }, 'idNumber', /出生日期/],
      [{ licenceNumber: '1340120111023456' }, 'licenceNumber', /17位/],
      [{ licenceNumber: '1340120111023456A' }, 'licenceNumber', /17位/],
    ];
    for (const [change, field, message] of tries) {
      const r = await gql(stack, ops.start, {
        input: {
          name: liSi.name,
          idNumber: liSi.idNumber,
          licenceNumber: liSi.licenceNumber,
          ...change,
        },
      });
      refusedWith(r, field, message);
    }
  });

  it('refuses malformed mainland mobile numbers at activation and at the SMS login', async () => {
    const started = ok(
      await gql(stack, ops.start, {
        input: { name: liSi.name, idNumber: liSi.idNumber, licenceNumber: liSi.licenceNumber },
      }),
    ).data.startActivation.id;
    ok(await gql(stack, ops.face, { id: started, image: Buffer.alloc(96, 7).toString('base64') }));
    for (const phone of ['12812345678', '1380000100', '+8613800001002', '138000010021']) {
      refusedWith(await gql(stack, ops.activationCode, { id: started, phone }), 'phone', /手机/);
      refusedWith(
        await gql(stack, ops.requestLoginCode, { phone }, { ip: '192.0.2.80' }),
        'phone',
        /手机/,
      );
    }
  });
});
