// The integrators' contract at the real gateway: an application's OAuth token sees only
// schema/contract.graphql (operations outside it fail validation as unknown fields do, its
// introspection is the contract), while people's sessions and anonymous callers keep the whole
// API. Over HTTP and over the WebSocket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  printSchema,
  type IntrospectionQuery,
} from 'graphql';
import { readContract } from '@yuejuan/schema/contract';
import { shanghai } from './fixtures.ts';
import { createTestClock, gql, ok, wsClient } from './identity-fixtures.ts';
import {
  adminToken,
  clientCredentials,
  errorCodes,
  registerApp,
  startOAuthStack,
} from './oauth-fixtures.ts';
import type { Stack } from './stack.ts';

const clock = createTestClock();
let stack: Stack;
let origin: string;
let admin: string;
let token: string;
let caseId: string;

const intake = /* GraphQL */ `
  mutation Intake($requestId: ID!, $input: CaseInput!) {
    intakeCase(requestId: $requestId, input: $input) {
      case {
        id
      }
    }
  }
`;

beforeAll(async () => {
  ({ stack, origin } = await startOAuthStack('contract', clock));
  await stack.services.cases.cases.importProcuratorate(shanghai);
  admin = await adminToken(stack);
  const system = await registerApp(stack, admin, {
    name: '上海市检察业务应用系统',
    kind: 'PROCURATORATE_SYSTEM',
    procuratorateId: shanghai.id,
    scopes: ['cases:read', 'cases:write'],
  });
  token = await clientCredentials(origin, system, 'cases:read cases:write');
  const input = {
    departmentCaseNumber: '沪检刑诉〔2026〕88号',
    caseName: '赵某合同诈骗案',
    suspects: ['赵某'],
    stage: 'PROSECUTION_REVIEW',
  };
  caseId = ok(await gql(stack, intake, { requestId: 'contract-0001', input }, { token })).data
    .intakeCase.case.id;
});
afterAll(async () => {
  await stack?.stop();
});

const contractSdl = printSchema(buildSchema(readContract()));

describe('an application’s token', () => {
  it('uses the contract: its fields answer as before', async () => {
    const read = ok(
      await gql(
        stack,
        'query C($id: ID!) { case(id: $id) { id caseName stage procuratorate { name } } }',
        { id: caseId },
        { token },
      ),
    );
    expect(read.data.case).toEqual({
      id: caseId,
      caseName: '赵某合同诈骗案',
      stage: 'PROSECUTION_REVIEW',
      procuratorate: { name: shanghai.name },
    });
  });

  it('is refused a field outside the contract exactly as a field that does not exist', async () => {
    const internal = await gql(stack, '{ bindingReviewQueue { totalCount } }', {}, { token });
    const missing = await gql(stack, '{ noSuchThing { totalCount } }', {}, { token });
    for (const [answer, field] of [
      [internal, 'bindingReviewQueue'],
      [missing, 'noSuchThing'],
    ] as const) {
      expect(answer.status).toBe(400);
      expect(answer.data).toBeUndefined();
      expect(answer.errors).toEqual([
        {
          message: `查询无效：类型 Query 上没有字段 ${field}。`,
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ]);
    }
    // Inside a public type too, every field outside the contract is named, each once.
    const nested = await gql(
      stack,
      'query C($id: ID!) { case(id: $id) { id volumes { id } procuratorate { cases { totalCount } } } }',
      { id: caseId },
      { token },
    );
    expect(nested.status).toBe(400);
    expect(nested.errors!.map((e) => e.message)).toEqual([
      '查询无效：类型 Case 上没有字段 volumes。',
      '查询无效：类型 Procuratorate 上没有字段 cases。',
    ]);
    // No suggestion names an internal field (smsMessages is the full schema's near match).
    const typo = await gql(stack, '{ smsMessage { id } }', {}, { token });
    expect(errorCodes(typo)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(typo.text).not.toContain('smsMessages');
    // A mutation outside the contract is refused before it runs.
    const create = await gql(
      stack,
      'mutation { setOnlineReading(procuratorateId: "SH-310000", enabled: false) { id } }',
      {},
      { token },
    );
    expect(errorCodes(create)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const procuratorate = await stack.services.cases.models.Procuratorate.findById(
      shanghai.id,
    ).lean();
    expect(procuratorate?.onlineReadingEnabled).toBe(true);
  });

  it('introspects the contract, not the whole API', async () => {
    const answer = ok(await gql(stack, getIntrospectionQuery(), {}, { token }));
    const seen = printSchema(buildClientSchema(answer.data as IntrospectionQuery));
    expect(seen).toBe(contractSdl);
    expect(seen).not.toMatch(/bindingReviewQueue|Prosecutor|AuditEvent|smsMessages/);
    const types = ok(
      await gql(
        stack,
        '{ sms: __type(name: "SmsMessage") { name } case: __type(name: "Case") { fields { name } } }',
        {},
        { token },
      ),
    );
    expect(types.data.sms).toBeNull();
    expect(types.data.case.fields.map((f: { name: string }) => f.name)).not.toContain('volumes');
  });

  it('gets the contract’s introspection beside its data in one query', async () => {
    const mixed = ok(
      await gql(
        stack,
        `query M($id: ID!) {
          case(id: $id) { caseName }
          ...Root
        }
        fragment Root on Query { q: __type(name: "Query") { fields { name } } __typename }`,
        { id: caseId },
        { token },
      ),
    );
    expect(mixed.data.case).toEqual({ caseName: '赵某合同诈骗案' });
    expect(mixed.data.__typename).toBe('Query');
    expect(mixed.data.q.fields.map((f: { name: string }) => f.name).sort()).toEqual([
      'appointment',
      'bindingApplication',
      'case',
      'lawyer',
      'readingApplication',
      'viewer',
    ]);
  });

  it('is held to the contract over the WebSocket too', async () => {
    const client = wsClient(stack, token);
    try {
      const run = (query: string) =>
        new Promise<{ errors?: { message: string; extensions?: { code?: string } }[] }>(
          (resolve, reject) => {
            let result: unknown;
            client.subscribe(
              { query },
              {
                next: (value) => void (result = value),
                error: (err) => resolve({ errors: err as never }),
                complete: () => resolve(result as never),
              },
            );
            setTimeout(() => reject(new Error('no answer over the socket')), 10_000).unref();
          },
        );
      const subscription = await run('subscription { notificationAdded { id } }');
      expect(subscription.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([
        ['查询无效：类型 Subscription 上没有字段 notificationAdded。', 'GRAPHQL_VALIDATION_FAILED'],
      ]);
      const query = await run('{ bindingReviewQueue { totalCount } }');
      expect(query.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const introspection = await run('{ __type(name: "SmsMessage") { name } }');
      expect(introspection).toEqual({ data: { __type: null } });
    } finally {
      await client.dispose();
    }
  });
});

describe('people and anonymous callers', () => {
  it('keep the whole API: its fields and its introspection', async () => {
    const full = ok(await gql(stack, getIntrospectionQuery(), {}, { token: admin }));
    const seen = printSchema(buildClientSchema(full.data as IntrospectionQuery));
    expect(seen).toContain('bindingReviewQueue');
    expect(seen).toContain('type Prosecutor');
    const anonymous = ok(await gql(stack, '{ __type(name: "SmsMessage") { name } }'));
    expect(anonymous.data.__type).toEqual({ name: 'SmsMessage' });
    const queue = await gql(stack, '{ applications { id } }', {}, { token: admin });
    expect(queue.status).toBe(200);
    expect(queue.errors).toBeUndefined();
    // A field that exists nowhere is still graphql-js's own validation error for them.
    const missing = await gql(stack, '{ noSuchThing }', {}, { token: admin });
    expect(errorCodes(missing)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(missing.errors![0]!.message).toMatch(/^Cannot query field "noSuchThing"/);
  });
});
