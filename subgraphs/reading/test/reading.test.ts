import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndexes, type Identity } from '@yuejuan/runtime';
import { anonymous, callSubgraph, lawyerIdentity, openTestDatabase, prosecutorIdentity, testLogger, testMongoUri, testSecrets } from '@yuejuan/runtime/testing';
import { loadReadingConfig } from '../src/config.ts';
import { createServer } from '../src/server.ts';

const zhangSan = lawyerIdentity('lawyer-zhangsan');
const wangSh = prosecutorIdentity('prosecutor-wang', 'SH-310000');

describe('reading subgraph (first slice)', () => {
  const secrets = testSecrets();
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  let server: ReturnType<typeof createServer>;
  let url: string;

  const call = async (identity: Identity, query: string, variables?: Record<string, unknown>) =>
    (await callSubgraph(url, { query, variables }, { secret: secrets.internal, audience: 'reading', identity })).body;
  const codes = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => (body.errors ?? []).map((e) => e.extensions?.code);

  beforeAll(async () => {
    db = await openTestDatabase('reading', { monitorCommands: true });
    const config = loadReadingConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGODB_URI: testMongoUri(), YUEJUAN_INTERNAL_SECRET: secrets.internal, PORT: '0' });
    server = createServer({ config, connection: db, bus: db.bus, logger: testLogger('reading') });
    await ensureIndexes(db);
    url = await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it('serves 申请在线阅卷须知 and 阅卷承诺书 with their versions', async () => {
    const body = await call(zhangSan, /* GraphQL */ `{ readingTerms { notice { version title body } undertaking { version title body } } }`);
    expect(body.errors).toBeUndefined();
    const terms = body.data!.readingTerms as Record<string, { version: string; title: string; body: string }>;
    expect(terms.notice).toMatchObject({ title: '申请在线阅卷须知', version: expect.stringMatching(/\S/), body: expect.stringContaining('在线阅卷') });
    expect(terms.undertaking).toMatchObject({ title: '阅卷承诺书', version: expect.stringMatching(/\S/), body: expect.stringContaining('本人承诺') });
  });

  it('answers a root field not built yet with NOT_IMPLEMENTED, never with data', async () => {
    const body = await call(zhangSan, /* GraphQL */ `mutation { acknowledgeReceipt(appointmentId: "x") { id } }`);
    expect(body.data).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_IMPLEMENTED', coordinate: 'Mutation.acknowledgeReceipt' });

    const queue = await call(wangSh, /* GraphQL */ `{ readingReviewQueue { totalCount } }`);
    expect(codes(queue)).toEqual(['NOT_IMPLEMENTED']);
  });

  it('answers ReadingApplication references with NOT_IMPLEMENTED', async () => {
    const body = await call(wangSh, /* GraphQL */ `
      query R($representations: [_Any!]!) { _entities(representations: $representations) { ... on ReadingApplication { id status } } }
    `, { representations: [{ __typename: 'ReadingApplication', id: 'ra-1' }] });
    expect((body.data?._entities as unknown[] | undefined) ?? [null]).toEqual([null]);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_IMPLEMENTED', coordinate: 'ReadingApplication.__resolveReference' });
  });

  it("answers a lawyer's reading applications and a case's volumes with NOT_IMPLEMENTED", async () => {
    const lawyer = await call(zhangSan, /* GraphQL */ `
      query L($representations: [_Any!]!) { _entities(representations: $representations) { ... on Lawyer { readingApplications { totalCount } } } }
    `, { representations: [{ __typename: 'Lawyer', id: 'lawyer-zhangsan' }] });
    expect(lawyer.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_IMPLEMENTED', coordinate: 'Lawyer.readingApplications' });
    const volumes = await call(wangSh, /* GraphQL */ `
      query C($representations: [_Any!]!) { _entities(representations: $representations) { ... on Case { volumes { id } } } }
    `, { representations: [{ __typename: 'Case', id: 'case-1' }] });
    expect(volumes.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_IMPLEMENTED', coordinate: 'Case.volumes' });
  });

  it('lists what is not built yet', () => {
    expect(server.notImplemented).toEqual(expect.arrayContaining(['Mutation.acknowledgeReceipt', 'ReadingApplication.__resolveReference', 'Query.readingApplication']));
    expect(server.notImplemented).not.toContain('Query.readingTerms');
  });

  it('refuses a request without a gateway token with 401', async () => {
    const res = await callSubgraph(url, { query: '{ readingTerms { notice { title } } }' }, { headers: {} });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const wrongAudience = await callSubgraph(url, { query: '{ readingTerms { notice { title } } }' }, { secret: secrets.internal, audience: 'identity', identity: anonymous });
    expect(wrongAudience.status).toBe(401);
  });
});
