// Per-application persisted-operation allowlists (issue 16 part 5), through the real stack: an
// administrator registers an application's operations (a document, or a persisted-documents
// manifest), each validated against the schema; a production gateway runs only those for that
// application, by hash or by document, refuses its other operations and another application's,
// and follows a removal or the switch from the application's next request.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghai } from './fixtures.ts';
import { codes, createTestClock, gql, ok } from './identity-fixtures.ts';
import { adminToken, clientCredentials, registerApp, startOAuthStack } from './oauth-fixtures.ts';
import { post } from './http.ts';
import type { Stack } from './stack.ts';
import { defaultManifestPath } from '../src/config.ts';
import { loadManifest } from '../src/persisted.ts';

const clock = createTestClock();
let stack: Stack;
let origin: string;
let admin: string;
let production: { url: string };
let caseId: string;
let a: { clientId: string; clientSecret: string; token: string };
let b: { clientId: string; clientSecret: string; token: string };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const registerOps = /* GraphQL */ `
  mutation RegisterOps($id: ID!, $source: String!) {
    registerApplicationOperations(id: $id, source: $source) {
      hash
      name
      type
      document
    }
  }
`;
const listOps = /* GraphQL */ `
  query ListOps($id: ID!) {
    application(id: $id) {
      registeredOperationsOnly
      registeredOperations {
        hash
        name
      }
      changes {
        kind
        detail
      }
    }
  }
`;
const caseName = `query CaseName($id: ID!) {
  case(id: $id) {
    id
    caseName
  }
}`;
const caseStage = `query CaseStage($id: ID!) {
  case(id: $id) {
    id
    stage
  }
}`;

async function system(name: string) {
  const app = await registerApp(stack, admin, {
    name,
    kind: 'PROCURATORATE_SYSTEM',
    procuratorateId: shanghai.id,
    scopes: ['cases:read'],
  });
  return { ...app, token: await clientCredentials(origin, app, 'cases:read') };
}

const as = (token: string, body: Record<string, unknown>) =>
  post(production.url, body, { authorization: `Bearer ${token}` });

beforeAll(async () => {
  ({ stack, origin } = await startOAuthStack('app_ops', clock));
  await stack.services.cases.cases.importProcuratorate(shanghai);
  await stack.services.cases.cases.importCase(shanghai.id, {
    departmentCaseNumber: '沪检刑诉〔2026〕401号',
    caseName: '白名单测试案',
    suspects: ['钱某'],
    stage: 'PROSECUTION_REVIEW',
  });
  caseId = (await stack.services.cases.models.Case.findOne({
    procuratorateId: shanghai.id,
  }).lean())!._id;
  admin = await adminToken(stack);
  a = await system('白名单系统甲');
  b = await system('白名单系统乙');
  // Production: persisted operations only, and applications' switch on by default.
  production = await stack.startGateway({ NODE_ENV: 'production' });
});
afterAll(async () => {
  await stack?.stop();
});

describe('registering an application’s operations', () => {
  it('registers a document in canonical form and a Code Generator manifest; refuses invalid ones naming them', async () => {
    const registered = ok(
      await gql(stack, registerOps, { id: a.clientId, source: caseName }, { token: admin }),
    ).data.registerApplicationOperations;
    expect(registered).toHaveLength(1);
    expect(registered[0]).toMatchObject({ name: 'CaseName', type: 'query' });
    expect(registered[0].hash).toBe(sha256(registered[0].document));

    // GraphQL Code Generator's persisted-documents.json: sha256(document) → document.
    const manifest = { [sha256(caseStage)]: caseStage };
    const fromManifest = ok(
      await gql(
        stack,
        registerOps,
        { id: b.clientId, source: JSON.stringify(manifest) },
        { token: admin },
      ),
    ).data.registerApplicationOperations;
    expect(fromManifest).toEqual([
      expect.objectContaining({ hash: sha256(caseStage), name: 'CaseStage', document: caseStage }),
    ]);

    // Invalid against the schema, a wrong hash, not GraphQL: refused, nothing stored.
    const unknownField = await gql(
      stack,
      registerOps,
      { id: a.clientId, source: 'query Bad($id: ID!) { case(id: $id) { noSuchField } }' },
      { token: admin },
    );
    expect(codes(unknownField)).toEqual(['BAD_USER_INPUT']);
    expect(unknownField.errors![0]!.message).toMatch(/“Bad”.*与接口不符/);
    const wrongHash = await gql(
      stack,
      registerOps,
      { id: a.clientId, source: JSON.stringify({ ['0'.repeat(64)]: caseStage }) },
      { token: admin },
    );
    expect(codes(wrongHash)).toEqual(['BAD_USER_INPUT']);
    expect(wrongHash.errors![0]!.message).toMatch(/摘要与其文档不符/);
    const garbage = await gql(
      stack,
      registerOps,
      { id: a.clientId, source: 'query {' },
      { token: admin },
    );
    expect(codes(garbage)).toEqual(['BAD_USER_INPUT']);
    const listed = ok(await gql(stack, listOps, { id: a.clientId }, { token: admin })).data
      .application;
    expect(listed.registeredOperations.map((o: { name: string }) => o.name)).toEqual(['CaseName']);
    // Audited like other application changes.
    expect(listed.changes[0]).toMatchObject({ kind: 'APP_OPERATIONS_REGISTERED' });
    expect(listed.changes[0].detail).toContain('CaseName');

    // Only administrators register.
    const byApp = await gql(
      stack,
      registerOps,
      { id: a.clientId, source: caseStage },
      { token: a.token },
    );
    expect(codes(byApp)).not.toEqual([]);
  });
});

describe('a production gateway and an application’s allowlist', () => {
  it('runs the application’s registered operation by hash and by document, and refuses its others and another application’s', async () => {
    const hash = sha256(
      'query CaseName($id: ID!) {\n  case(id: $id) {\n    id\n    caseName\n  }\n}',
    );
    const byHash = await as(a.token, {
      variables: { id: caseId },
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    });
    expect(byHash.status, byHash.text).toBe(200);
    expect(byHash.json?.data?.case).toEqual({ id: caseId, caseName: '白名单测试案' });

    // The same operation as text, with other whitespace: its canonical form is registered.
    const byDocument = await as(a.token, {
      query: 'query CaseName($id: ID!) { case(id: $id) { id caseName } }',
      variables: { id: caseId },
    });
    expect(byDocument.status, byDocument.text).toBe(200);
    expect(byDocument.json?.data?.case?.caseName).toBe('白名单测试案');

    // Not registered for A: as text, and by hash.
    const other = await as(a.token, { query: caseStage, variables: { id: caseId } });
    expect(other.status).toBe(400);
    expect(other.json?.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_REQUIRED');
    // B's registered operation is B's only.
    const ofB = await as(a.token, {
      variables: { id: caseId },
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(caseStage) } },
    });
    expect(ofB.status).toBe(400);
    expect(ofB.json?.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const bOwn = await as(b.token, {
      variables: { id: caseId },
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(caseStage) } },
    });
    expect(bOwn.status, bOwn.text).toBe(200);
    expect(bOwn.json?.data?.case?.stage).toBe('PROSECUTION_REVIEW');
    // And the deployment's own manifest (the portal's and console's operations) is not the application's.
    const manifest = loadManifest(defaultManifestPath);
    expect(manifest.size).toBeGreaterThan(0);
    const portalOp = await as(a.token, {
      extensions: { persistedQuery: { version: 1, sha256Hash: [...manifest.keys()][0] } },
    });
    expect(portalOp.json?.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('follows a removal and the switch from the application’s next request', async () => {
    const hash = sha256(caseStage);
    ok(
      await gql(
        stack,
        /* GraphQL */ `
          mutation Remove($id: ID!, $hash: ID!) {
            removeApplicationOperation(id: $id, hash: $hash) {
              id
            }
          }
        `,
        { id: b.clientId, hash },
        { token: admin },
      ),
    );
    const removed = await as(b.token, {
      variables: { id: caseId },
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    });
    expect(removed.json?.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    // Switched off: the application's own text runs, even in production.
    const setOnly = /* GraphQL */ `
      mutation Only($id: ID!, $only: Boolean!) {
        setApplicationOperationsOnly(id: $id, only: $only) {
          registeredOperationsOnly
        }
      }
    `;
    const off = ok(await gql(stack, setOnly, { id: b.clientId, only: false }, { token: admin }));
    expect(off.data.setApplicationOperationsOnly.registeredOperationsOnly).toBe(false);
    const free = await as(b.token, { query: caseStage, variables: { id: caseId } });
    expect(free.status, free.text).toBe(200);
    ok(await gql(stack, setOnly, { id: b.clientId, only: true }, { token: admin }));
    const again = await as(b.token, { query: caseStage, variables: { id: caseId } });
    expect(again.json?.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_REQUIRED');
    // The switch is in the audit trail.
    const audit = ok(await gql(stack, listOps, { id: b.clientId }, { token: admin })).data
      .application.changes;
    expect(audit.map((c: { detail: string }) => c.detail).join('\n')).toMatch(
      /仅允许已登记操作：关 → 开/,
    );
  });
});
