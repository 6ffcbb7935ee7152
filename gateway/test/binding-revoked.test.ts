// A revoked case binding ends reading (issue 14): the lawyer's live download link stops, a new
// DOWNLOAD step-up and password get no new link, a waiting reading application cannot be
// approved, the appointment closes with the reason, the package is withdrawn and the lawyer is told.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './stack.ts';
import { seedPeople, shanghai, zhangSan } from './fixtures.ts';
import {
  activate,
  codes,
  createTestClock,
  gql,
  ok,
  register,
  smsText,
  startIdentityStack,
  stepUp,
  tinyPdf,
  until,
  upload,
  type Verifier,
} from './identity-fixtures.ts';

const submitBinding = /* GraphQL */ `
  mutation B($input: BindingApplicationInput!) {
    submitBindingApplication(input: $input) {
      id
      status
    }
  }
`;
const approveBinding = /* GraphQL */ `
  mutation A($id: ID!) {
    approveBindingApplication(id: $id) {
      id
      status
    }
  }
`;
const revokeBinding = /* GraphQL */ `
  mutation R($id: ID!, $reason: String!) {
    revokeBinding(id: $id, reason: $reason) {
      id
      status
    }
  }
`;
const terms = /* GraphQL */ `
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
`;
const submitReading = /* GraphQL */ `
  mutation R($input: ReadingApplicationInput!) {
    submitReadingApplication(input: $input) {
      id
      status
    }
  }
`;
const approveReading = /* GraphQL */ `
  mutation A($id: ID!) {
    approveReadingApplication(id: $id) {
      id
      appointment {
        id
      }
    }
  }
`;
const publish = /* GraphQL */ `
  mutation P($id: ID!) {
    publishPackage(appointmentId: $id) {
      id
      status
    }
  }
`;
const appointment = /* GraphQL */ `
  query Q($id: ID!) {
    appointment(id: $id) {
      id
      status
      closedReason
      package {
        id
        status
      }
    }
  }
`;
const acknowledge = /* GraphQL */ `
  mutation K($id: ID!) {
    acknowledgeReceipt(appointmentId: $id) {
      id
    }
  }
`;
const unlock = /* GraphQL */ `
  mutation U($id: ID!, $password: String!) {
    unlockDownload(appointmentId: $id, password: $password) {
      url
      downloadKey
    }
  }
`;
const notifications = /* GraphQL */ `
  {
    viewer {
      lawyer {
        notifications(first: 20) {
          edges {
            node {
              kind
              title
              body
            }
          }
        }
      }
    }
  }
`;

describe('a revoked case binding ends reading', () => {
  const clock = createTestClock();
  let stack: Stack;
  let zhang: Verifier;
  let lawyer: string;
  let prosecutor: string;
  let caseIds: string[];
  const attachmentIds: string[] = [];

  /** Binds `caseId` to Zhang San (submitted and approved). */
  async function bind(caseId: string, suspect: string): Promise<string> {
    const input = {
      caseId,
      lawyerRole: 'DEFENCE_COUNSEL',
      suspectName: suspect,
      clientName: suspect,
      clientRelation: 'SELF',
      attachmentIds,
    };
    const id = ok(await gql(stack, submitBinding, { input }, { token: lawyer })).data
      .submitBindingApplication.id as string;
    ok(await gql(stack, approveBinding, { id }, { token: prosecutor }));
    return id;
  }
  async function applyForReading(caseId: string): Promise<string> {
    const { notice, undertaking } = ok(await gql(stack, terms)).data.readingTerms;
    return ok(
      await gql(
        stack,
        submitReading,
        {
          input: { caseId, noticeVersion: notice.version, undertakingVersion: undertaking.version },
        },
        { token: lawyer },
      ),
    ).data.submitReadingApplication.id as string;
  }

  beforeAll(async () => {
    stack = await startIdentityStack('binding-revoked', clock);
    const people = await seedPeople(stack);
    for (const n of [1, 2, 3])
      await stack.services.cases.cases.importCase(shanghai.id, {
        departmentCaseNumber: `沪检刑诉〔2025〕${700 + n}号`,
        caseName: `撤销案件${n}`,
        suspects: [`嫌疑人${n}`],
        stage: 'PROSECUTION_REVIEW',
      });
    caseIds = (
      await stack.services.cases.models.Case.find({ caseName: /^撤销案件/ })
        .sort({ caseName: 1 })
        .lean()
        .exec()
    ).map((c) => c._id);
    zhang = await activate(stack, zhangSan, '13600000041');
    lawyer = await register(stack, zhang, clock);
    prosecutor = (
      await stack.services.identity.sessions.open({
        role: 'PROSECUTOR',
        subjectId: people.prosecutorId,
        procuratorateId: shanghai.id,
        method: 'PROSECUTOR',
      })
    ).token;
    for (const kind of ['POWER_OF_ATTORNEY', 'LAW_FIRM_LETTER', 'LICENCE']) {
      attachmentIds.push(
        (
          await upload(
            stack,
            `/uploads/attachments?kind=${kind}&fileName=${encodeURIComponent(`${kind}.pdf`)}`,
            lawyer,
            tinyPdf(kind),
          )
        ).body.id,
      );
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('stops the live download link, refuses a new one, closes the appointment, withdraws the package and tells the lawyer why', async () => {
    const bindingId = await bind(caseIds[0]!, '嫌疑人1');
    const applicationId = await applyForReading(caseIds[0]!);
    const appointmentId = ok(
      await gql(stack, approveReading, { id: applicationId }, { token: prosecutor }),
    ).data.approveReadingApplication.appointment.id as string;
    expect(
      (
        await upload(
          stack,
          `/uploads/volumes?caseId=${caseIds[0]}&title=${encodeURIComponent('诉讼文书')}`,
          prosecutor,
          tinyPdf('Volume one'),
        )
      ).status,
    ).toBe(201);
    ok(await gql(stack, publish, { id: appointmentId }, { token: prosecutor }));
    await until(
      async () =>
        ok(await gql(stack, appointment, { id: appointmentId }, { token: lawyer })).data.appointment
          .package?.status === 'READY',
      60_000,
    );
    const password = /卷宗下载密码：([A-Za-z0-9]+)，/.exec(
      await smsText(stack, zhang.phone, 'PACKAGE_READY'),
    )![1]!;
    ok(await gql(stack, acknowledge, { id: appointmentId }, { token: lawyer }));
    await stepUp(stack, lawyer, zhang, 'DOWNLOAD', clock);
    const { url, downloadKey } = ok(
      await gql(stack, unlock, { id: appointmentId, password }, { token: lawyer }),
    ).data.unlockDownload as { url: string; downloadKey: string };
    const download = () =>
      fetch(new URL(url, stack.url), { headers: { authorization: `Bearer ${lawyer}` } });
    const before = await download();
    expect(before.status).toBe(200);
    await before.arrayBuffer();
    // A browser-managed download carries the grant's own key, not the session (issue 14): it
    // opens this link only; a wrong key, or none, opens nothing.
    const keyed = (key?: string, at = url) =>
      fetch(new URL(at, stack.url), {
        method: 'HEAD',
        headers: key ? { 'x-download-key': key } : {},
      });
    expect(downloadKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(downloadKey).not.toBe(lawyer);
    expect((await keyed(downloadKey)).status).toBe(200);
    // One character changed in the middle: the last one of 43 base64url characters carries
    // unused bits, and may already be the one put in its place.
    const wrong = `${downloadKey.slice(0, 20)}${downloadKey[20] === 'A' ? 'B' : 'A'}${downloadKey.slice(21)}`;
    expect((await keyed(wrong)).status).toBe(403);
    expect((await keyed()).status).toBe(401);
    expect((await keyed(downloadKey, `/downloads/${'x'.repeat(43)}`)).status).toBe(404);

    ok(
      await gql(
        stack,
        revokeBinding,
        { id: bindingId, reason: '委托关系已解除' },
        { token: prosecutor },
      ),
    );

    // At once, before the event is even processed: the link and a new unlock both ask cases.
    const after = await download();
    expect(after.status).toBeGreaterThanOrEqual(400);
    expect(after.status).toBeLessThan(500);
    expect((await keyed(downloadKey)).status).toBeGreaterThanOrEqual(400);
    await stepUp(stack, lawyer, zhang, 'DOWNLOAD', clock);
    expect(
      codes(await gql(stack, unlock, { id: appointmentId, password }, { token: lawyer }))[0],
    ).toMatch(/^(CASE_NOT_BOUND|PACKAGE_REVOKED)$/);

    const closed = await until(async () => {
      const a = ok(await gql(stack, appointment, { id: appointmentId }, { token: lawyer })).data
        .appointment;
      return a.status === 'CLOSED' ? a : null;
    });
    expect(closed.closedReason).toBe('案件绑定已撤销：委托关系已解除');
    expect(closed.package.status).toBe('REVOKED');
    expect(await stack.subgraphs.reading.services.models.Grant.countDocuments().exec()).toBe(0);
    const sms = await smsText(stack, zhang.phone, 'BINDING_REVOKED');
    expect(sms).toContain('委托关系已解除');
    const inbox = await until(async () => {
      const edges = ok(await gql(stack, notifications, {}, { token: lawyer })).data.viewer.lawyer
        .notifications.edges as { node: { kind: string; body: string } }[];
      return edges.find((e) => e.node.kind === 'BINDING_REVOKED');
    });
    expect(inbox.node.body).toContain('委托关系已解除');
    // One message for the binding, not a second for the package it took with it.
    const kinds = (
      ok(await gql(stack, notifications, {}, { token: lawyer })).data.viewer.lawyer.notifications
        .edges as { node: { kind: string } }[]
    ).map((e) => e.node.kind);
    expect(kinds).not.toContain('PACKAGE_REVOKED');
  });

  it('shows a lawyer only the case summary until the binding is approved, and checks the suspect against the case', async () => {
    const input = (suspect: string) => ({
      caseId: caseIds[2],
      lawyerRole: 'DEFENCE_COUNSEL',
      suspectName: suspect,
      clientName: suspect,
      clientRelation: 'SELF',
      attachmentIds,
    });
    const mismatch = await gql(stack, submitBinding, { input: input('王五') }, { token: lawyer });
    expect(codes(mismatch)).toEqual(['SUSPECT_MISMATCH']);
    expect(mismatch.errors![0]!.extensions!.field).toBe('suspectName');
    const id = ok(
      await gql(stack, submitBinding, { input: input(' 嫌疑人 3 ') }, { token: lawyer }),
    ).data.submitBindingApplication.id as string;
    const read = /* GraphQL */ `
      query Q($id: ID!) {
        bindingApplication(id: $id) {
          status
          caseSummary {
            departmentCaseNumber
            caseName
          }
          case {
            suspects
            stage
          }
        }
      }
    `;
    const pending = ok(await gql(stack, read, { id }, { token: lawyer })).data.bindingApplication;
    expect(pending.case).toBeNull();
    expect(pending.caseSummary).toEqual({
      departmentCaseNumber: '沪检刑诉〔2025〕703号',
      caseName: '撤销案件3',
    });
    expect(
      ok(await gql(stack, read, { id }, { token: prosecutor })).data.bindingApplication.case,
    ).toEqual({ suspects: ['嫌疑人3'], stage: 'PROSECUTION_REVIEW' });
    ok(await gql(stack, approveBinding, { id }, { token: prosecutor }));
    expect(
      ok(await gql(stack, read, { id }, { token: lawyer })).data.bindingApplication.case,
    ).toEqual({ suspects: ['嫌疑人3'], stage: 'PROSECUTION_REVIEW' });
  });

  it('refuses to approve a reading application whose binding was revoked while it waited', async () => {
    const bindingId = await bind(caseIds[1]!, '嫌疑人2');
    const applicationId = await applyForReading(caseIds[1]!);
    ok(
      await gql(
        stack,
        revokeBinding,
        { id: bindingId, reason: '律师已更换' },
        { token: prosecutor },
      ),
    );
    expect(
      codes(await gql(stack, approveReading, { id: applicationId }, { token: prosecutor })),
    ).toEqual(['CASE_NOT_BOUND']);
  });
});
