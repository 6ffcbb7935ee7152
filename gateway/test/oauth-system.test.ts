// A procuratorate's case system (检察业务应用系统) with client credentials, through the real
// gateway: it pushes a case (idempotent by request id and 部门受案号) and a volume of its own
// procuratorate, is refused another procuratorate's case and every field its scopes do not
// name, stops at once when suspended, and a rotated secret works only during its overlap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guangdong, shanghai } from './fixtures.ts';
import { createTestClock, gql, ok, tinyPdf, upload } from './identity-fixtures.ts';
import {
  adminToken,
  clientCredentials,
  errorCodes,
  registerApp,
  startOAuthStack,
  tokenRequest,
} from './oauth-fixtures.ts';
import type { Stack } from './stack.ts';

const clock = createTestClock();
let stack: Stack;
let origin: string;
let admin: string;
let system: { clientId: string; clientSecret: string };
let guangdongCaseId: string;

const intake = /* GraphQL */ `
  mutation Intake($requestId: ID!, $input: CaseInput!) {
    intakeCase(requestId: $requestId, input: $input) {
      created
      replayed
      case {
        id
        departmentCaseNumber
        caseName
        procuratorate {
          id
        }
      }
    }
  }
`;
const caseQuery = /* GraphQL */ `
  query Case($id: ID!) {
    case(id: $id) {
      id
      caseName
    }
  }
`;
const newCase = {
  departmentCaseNumber: '沪检刑诉〔2026〕101号',
  caseName: '王某某诈骗案',
  suspects: ['王某某'],
  stage: 'PROSECUTION_REVIEW',
};

beforeAll(async () => {
  ({ stack, origin } = await startOAuthStack('oauth_sys', clock));
  const { cases } = stack.services;
  await cases.cases.importProcuratorate(shanghai);
  await cases.cases.importProcuratorate(guangdong);
  await cases.cases.importCase(guangdong.id, {
    departmentCaseNumber: '粤检刑诉〔2026〕7号',
    caseName: '李某盗窃案',
    suspects: ['李某'],
    stage: 'ARREST_REVIEW',
  });
  guangdongCaseId = (await cases.models.Case.findOne({ procuratorateId: guangdong.id }).lean())!
    ._id;
  admin = await adminToken(stack);
  system = await registerApp(stack, admin, {
    name: '上海市检察业务应用系统',
    kind: 'PROCURATORATE_SYSTEM',
    procuratorateId: shanghai.id,
    scopes: ['cases:read', 'cases:write', 'volumes:write'],
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('a procuratorate system with client credentials', () => {
  it('pushes a case twice with one request id and gets one case', async () => {
    const token = await clientCredentials(origin, system, 'cases:read cases:write');
    const first = ok(
      await gql(stack, intake, { requestId: 'req-0001-aaaa', input: newCase }, { token }),
    );
    const again = ok(
      await gql(stack, intake, { requestId: 'req-0001-aaaa', input: newCase }, { token }),
    );
    expect(first.data.intakeCase).toMatchObject({ created: true, replayed: false });
    expect(again.data.intakeCase).toMatchObject({ created: false, replayed: true });
    expect(again.data.intakeCase.case.id).toBe(first.data.intakeCase.case.id);
    expect(first.data.intakeCase.case.procuratorate.id).toBe(shanghai.id);
    const stored = await stack.services.cases.models.Case.find({
      procuratorateId: shanghai.id,
    }).lean();
    expect(stored).toHaveLength(1);

    // A new request for the same 部门受案号 updates that case; the old id with new content is refused.
    const renamed = { ...newCase, caseName: '王某某诈骗、洗钱案' };
    const update = ok(
      await gql(stack, intake, { requestId: 'req-0002-bbbb', input: renamed }, { token }),
    );
    expect(update.data.intakeCase).toMatchObject({ created: false, replayed: false });
    expect(update.data.intakeCase.case).toMatchObject({
      id: first.data.intakeCase.case.id,
      caseName: '王某某诈骗、洗钱案',
    });
    const reused = await gql(
      stack,
      intake,
      { requestId: 'req-0001-aaaa', input: renamed },
      { token },
    );
    expect(errorCodes(reused)).toEqual(['CONFLICT']);
    expect(
      await stack.services.cases.models.Case.countDocuments({ procuratorateId: shanghai.id }),
    ).toBe(1);
  });

  it('uploads a volume to its own case and is refused another procuratorate’s case', async () => {
    const token = await clientCredentials(origin, system, 'cases:read volumes:write');
    const own = (await stack.services.cases.models.Case.findOne({
      procuratorateId: shanghai.id,
    }).lean())!;
    const title = encodeURIComponent('第1卷 诉讼文书');
    const stored = await upload(
      stack,
      `/uploads/volumes?caseId=${own._id}&title=${title}`,
      token,
      tinyPdf('v1'),
    );
    expect(stored.status, JSON.stringify(stored.body)).toBe(201);
    expect(stored.body).toMatchObject({ title: '第1卷 诉讼文书', pageCount: 1 });

    const foreign = await upload(
      stack,
      `/uploads/volumes?caseId=${guangdongCaseId}&title=${title}`,
      token,
      tinyPdf('v2'),
    );
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('FORBIDDEN');
    const read = await gql(stack, caseQuery, { id: guangdongCaseId }, { token });
    expect(errorCodes(read)).toEqual(['FORBIDDEN']);
    expect(ok(await gql(stack, caseQuery, { id: own._id }, { token })).data.case.id).toBe(own._id);
  });

  it('holds only the scopes of its token: other fields and file routes are refused', async () => {
    const token = await clientCredentials(origin, system, 'cases:write');
    const read = await gql(stack, caseQuery, { id: guangdongCaseId }, { token });
    expect(errorCodes(read)).toEqual(['INSUFFICIENT_SCOPE']);
    // Fields without a declared scope are outside the integrators' contract: refused by the
    // gateway as unknown fields (contract.test.ts).
    const unscoped = await gql(stack, '{ procuratorates { id } }', {}, { token });
    expect(errorCodes(unscoped)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const viewer = await gql(stack, '{ viewer { session { id } } }', {}, { token });
    expect(errorCodes(viewer)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const viewerLawyer = await gql(stack, '{ viewer { lawyer { id } } }', {}, { token });
    expect(errorCodes(viewerLawyer)).toEqual(['INSUFFICIENT_SCOPE']);
    const own = (await stack.services.cases.models.Case.findOne({
      procuratorateId: shanghai.id,
    }).lean())!;
    const volume = await upload(
      stack,
      `/uploads/volumes?caseId=${own._id}&title=x`,
      token,
      tinyPdf('v3'),
    );
    expect(volume.status).toBe(403);
    // Refused by the gateway before the upload reaches the reading subgraph.
    expect(JSON.stringify(volume.body)).toContain('"code":"INSUFFICIENT_SCOPE"');
    // A scope the application was never allowed is not granted at all.
    const law = await tokenRequest(origin, system, {
      grant_type: 'client_credentials',
      scope: 'profile:read',
    });
    expect(law.status).toBe(200);
    expect(law.body.scope).toBeUndefined();
  });

  it('a rotated secret works during the overlap and not after it', async () => {
    const rotated = ok(
      await gql(
        stack,
        /* GraphQL */ `
          mutation Rotate($id: ID!) {
            rotateApplicationSecret(id: $id, overlapSeconds: 60) {
              clientSecret
              application {
                secrets {
                  id
                  expiresAt
                }
              }
            }
          }
        `,
        { id: system.clientId },
        { token: admin },
      ),
    ).data.rotateApplicationSecret;
    expect(rotated.application.secrets).toHaveLength(2);
    const fresh = { clientId: system.clientId, clientSecret: rotated.clientSecret as string };
    const grant = { grant_type: 'client_credentials', scope: 'cases:read' };
    expect((await tokenRequest(origin, system, grant)).status).toBe(200);
    expect((await tokenRequest(origin, fresh, grant)).status).toBe(200);
    clock.advance(61);
    const old = await tokenRequest(origin, system, grant);
    expect(old.status).toBe(401);
    expect(old.body.error).toBe('invalid_client');
    expect((await tokenRequest(origin, fresh, grant)).status).toBe(200);
    expect(
      (await tokenRequest(origin, { ...fresh, clientSecret: `${fresh.clientSecret}x` }, grant))
        .status,
    ).toBe(401);
    system = fresh;
    // The secret is stored only as a digest, and the audit names the rotation.
    const stored = await stack.services.identity.models.Application.findById(
      system.clientId,
    ).lean();
    expect(JSON.stringify(stored)).not.toContain(fresh.clientSecret);
    const audit = await stack.services.identity.audit.about(system.clientId);
    expect(audit.map((e) => e.kind)).toEqual(['APP_SECRET_ROTATED', 'APP_REGISTERED']);
  });

  it('stops at the next request when an administrator suspends it', async () => {
    const token = await clientCredentials(origin, system, 'cases:read');
    const own = (await stack.services.cases.models.Case.findOne({
      procuratorateId: shanghai.id,
    }).lean())!;
    ok(await gql(stack, caseQuery, { id: own._id }, { token }));
    ok(
      await gql(
        stack,
        'mutation S($id: ID!) { suspendApplication(id: $id, reason: "测试停用") { status } }',
        { id: system.clientId },
        { token: admin },
      ),
    );
    const refused = await gql(stack, caseQuery, { id: own._id }, { token });
    expect(refused.status).toBe(401);
    expect(errorCodes(refused)).toEqual(['INVALID_TOKEN']);
    const noToken = await tokenRequest(origin, system, { grant_type: 'client_credentials' });
    expect(noToken.body.error).toBe('invalid_client');
    ok(
      await gql(
        stack,
        'mutation R($id: ID!) { resumeApplication(id: $id) { status } }',
        { id: system.clientId },
        { token: admin },
      ),
    );
    expect(ok(await gql(stack, caseQuery, { id: own._id }, { token })).data.case.id).toBe(own._id);
  });
});
