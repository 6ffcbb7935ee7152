import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent, Identity } from '@yuejuan/runtime';
import { lawyerIdentity, prosecutorIdentity } from '@yuejuan/runtime/testing';
import { codes, startCases, type Harness } from './harness.ts';
import {
  files,
  seedCase,
  seedProcuratorates,
  shanghai,
  theftCase,
  uploadAttachment,
  uploadMaterials,
  wangSh,
  zhaoGd,
} from './fixtures.ts';

const submit = /* GraphQL */ `
  mutation Submit($input: BindingApplicationInput!) {
    submitBindingApplication(input: $input) {
      id
      status
      lawyerRole
      clientName
      attachments {
        id
        kind
        fileName
        contentType
        sizeBytes
      }
      caseSummary {
        id
      }
    }
  }
`;
const decide = (field: string, vars = '', args = '') => /* GraphQL */ `
  mutation Decide($id: ID!${vars}) {
    ${field}(id: $id${args}) { id status decisionReason materialsRequestNote decidedAt attachments { id } }
  }
`;
const approve = decide('approveBindingApplication');
const reject = decide('rejectBindingApplication', ', $reason: String!', ', reason: $reason');
const requestMaterials = decide('requestBindingMaterials', ', $note: String!', ', note: $note');
const addMaterials = decide(
  'addBindingMaterials',
  ', $attachmentIds: [ID!]!',
  ', attachmentIds: $attachmentIds',
);
const withdraw = decide('withdrawBindingApplication');
const revoke = decide('revokeBinding', ', $reason: String!', ', reason: $reason');
const bound = /* GraphQL */ `
  query Bound($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Lawyer {
        boundCases {
          totalCount
          edges {
            node {
              id
            }
          }
        }
      }
    }
  }
`;

/** A lawyer of their own, so every test starts from no application. */
let seq = 0;
const freshLawyer = (verified = true): Identity => lawyerIdentity(`lawyer-wf-${++seq}`, verified);
const lawyerIdOf = (identity: Identity) => (identity as { lawyerId: string }).lawyerId;

describe('binding application workflow', () => {
  let h: Harness;
  let caseId: string;
  const events: DomainEvent[] = [];
  let unsubscribe: () => void;

  async function apply(lawyer: Identity, extra: Record<string, unknown> = {}) {
    const attachmentIds = await uploadMaterials(h, lawyer);
    return h.call(lawyer, submit, {
      input: {
        caseId,
        lawyerRole: 'DEFENCE_COUNSEL',
        suspectName: '李某',
        clientName: '李某',
        clientRelation: 'SELF',
        attachmentIds,
        ...extra,
      },
    });
  }
  const eventsOf = (applicationId: string) =>
    events.filter((e) => e.payload.applicationId === applicationId).map((e) => e.payload.status);
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  };

  beforeAll(async () => {
    h = await startCases('cases_workflow');
    await seedProcuratorates(h);
    caseId = await seedCase(h, shanghai.id, theftCase);
    unsubscribe = h.db.bus.subscribe(
      ['cases.bindingApplication.changed'],
      (e) => void events.push(e),
    );
  });
  afterAll(async () => {
    unsubscribe?.();
    await h?.stop();
  });

  it("submits a verified lawyer's application with its attachments, stored and announced", async () => {
    const lawyer = freshLawyer();
    const result = await apply(lawyer);
    expect(result.errors).toBeUndefined();
    const app = result.data.submitBindingApplication;
    expect(app).toMatchObject({
      status: 'SUBMITTED',
      lawyerRole: 'DEFENCE_COUNSEL',
      caseSummary: { id: caseId },
    });
    expect(app.attachments.map((a: { kind: string }) => a.kind)).toEqual([
      'POWER_OF_ATTORNEY',
      'LAW_FIRM_LETTER',
      'LICENCE',
    ]);
    const stored = await h.models.BindingApplication.findById(app.id).lean().exec();
    expect(stored).toMatchObject({
      lawyerId: lawyerIdOf(lawyer),
      caseId,
      procuratorateId: shanghai.id,
      status: 'SUBMITTED',
      version: 0,
    });
    await until(() => eventsOf(app.id).length === 1);
    expect(events.find((e) => e.payload.applicationId === app.id)!.payload).toEqual({
      applicationId: app.id,
      lawyerId: lawyerIdOf(lawyer),
      procuratorateId: shanghai.id,
      caseId,
      caseName: '李某盗窃案',
      status: 'SUBMITTED',
    });
  });

  it('refuses a second pending application for the same case with CONFLICT, also when racing', async () => {
    const lawyer = freshLawyer();
    const attachmentIds = await uploadMaterials(h, lawyer);
    const input = {
      caseId,
      lawyerRole: 'DEFENCE_COUNSEL',
      suspectName: '李某',
      clientName: '李某',
      clientRelation: 'SELF',
      attachmentIds,
    };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => h.call(lawyer, submit, { input })),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors).map((r) => codes(r)[0])).toEqual([
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
    ]);
    expect(
      await h.models.BindingApplication.countDocuments({ lawyerId: lawyerIdOf(lawyer) }).exec(),
    ).toBe(1);

    // Once the first leaves the pending states, the case is free again.
    const first = results.find((r) => !r.errors)!.data.submitBindingApplication.id;
    expect(
      (await h.call(lawyer, withdraw, { id: first })).data.withdrawBindingApplication.status,
    ).toBe('WITHDRAWN');
    expect((await h.call(lawyer, submit, { input })).errors).toBeUndefined();
  });

  it('needs a BIND_CASE step-up from a non-verified session, and uses it once', async () => {
    const lawyer = freshLawyer(false);
    const refused = await apply(lawyer);
    expect(codes(refused)).toEqual(['STEP_UP_REQUIRED']);
    expect(refused.errors![0]!.extensions!.purpose).toBe('BIND_CASE');
    const stepped = {
      ...lawyer,
      stepUps: [
        { id: `challenge-${seq}`, purpose: 'BIND_CASE', confirmedAt: new Date().toISOString() },
      ],
    } as Identity;
    const wrongPurpose = {
      ...lawyer,
      stepUps: [
        { id: `challenge-x${seq}`, purpose: 'DOWNLOAD', confirmedAt: new Date().toISOString() },
      ],
    } as Identity;
    expect(codes(await apply(wrongPurpose))).toEqual(['STEP_UP_REQUIRED']);
    const accepted = await apply(stepped);
    expect(accepted.errors).toBeUndefined();
    await h.call(stepped, withdraw, { id: accepted.data.submitBindingApplication.id });
    // The same confirmed challenge cannot be used a second time.
    expect(codes(await apply(stepped))).toEqual(['STEP_UP_REQUIRED']);
    expect(
      await h.db.collection('step_up_claims').countDocuments({ _id: `challenge-${seq}` as never }),
    ).toBe(1);
  });

  it("refuses missing materials, someone else's attachment and an unknown case, storing nothing", async () => {
    const lawyer = freshLawyer();
    const pdf = await uploadAttachment(
      h,
      lawyer,
      'POWER_OF_ATTORNEY',
      '授权委托书.pdf',
      'application/pdf',
      files.pdf,
    );
    const missing = await h.call(lawyer, submit, {
      input: {
        caseId,
        lawyerRole: 'DEFENCE_COUNSEL',
        suspectName: '李某',
        clientName: '李父',
        clientRelation: 'RELATIVE',
        attachmentIds: [pdf.body.id],
      },
    });
    expect(codes(missing)).toEqual(['BAD_USER_INPUT']);
    expect(missing.errors![0]!.extensions!.missingKinds).toEqual([
      'LAW_FIRM_LETTER',
      'LICENCE',
      'CLIENT_ID',
      'RELATION_PROOF',
    ]);
    const others = await uploadMaterials(h, freshLawyer());
    expect(
      codes(
        await h.call(lawyer, submit, {
          input: {
            caseId,
            lawyerRole: 'AGENT',
            suspectName: '李某',
            clientName: '李某',
            clientRelation: 'SELF',
            attachmentIds: others,
          },
        }),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(codes(await apply(lawyer, { caseId: 'no-such-case' }))).toEqual(['NOT_FOUND']);
    expect(
      await h.models.BindingApplication.countDocuments({ lawyerId: lawyerIdOf(lawyer) }).exec(),
    ).toBe(0);
  });

  it('lets a prosecutor of the procuratorate approve: the case becomes a bound case', async () => {
    const lawyer = freshLawyer();
    const id = (await apply(lawyer)).data.submitBindingApplication.id;
    const me = [{ __typename: 'Lawyer', id: lawyerIdOf(lawyer) }];
    expect(
      (await h.call(lawyer, bound, { representations: me })).data._entities[0].boundCases
        .totalCount,
    ).toBe(0);
    const approved = await h.call(wangSh, approve, { id });
    expect(approved.errors).toBeUndefined();
    expect(approved.data.approveBindingApplication).toMatchObject({
      id,
      status: 'APPROVED',
      decidedAt: expect.any(String),
    });
    expect(await h.models.BindingApplication.findById(id).lean().exec()).toMatchObject({
      status: 'APPROVED',
      version: 1,
    });
    expect(
      (await h.call(lawyer, bound, { representations: me })).data._entities[0].boundCases.edges,
    ).toEqual([{ node: { id: caseId } }]);
    await until(() => eventsOf(id).length === 2);
    expect(eventsOf(id)).toEqual(['SUBMITTED', 'APPROVED']);

    // A binding can be revoked later: the case is no longer bound.
    const revoked = await h.call(wangSh, revoke, { id, reason: '委托关系已解除' });
    expect(revoked.data.revokeBinding).toMatchObject({
      status: 'REVOKED',
      decisionReason: '委托关系已解除',
    });
    expect(
      (await h.call(lawyer, bound, { representations: me })).data._entities[0].boundCases
        .totalCount,
    ).toBe(0);
  });

  it('refuses a prosecutor of another procuratorate, and lawyers, to review', async () => {
    const lawyer = freshLawyer();
    const id = (await apply(lawyer)).data.submitBindingApplication.id;
    for (const [who, q, v] of [
      [zhaoGd, approve, { id }],
      [zhaoGd, reject, { id, reason: '不予绑定' }],
      [prosecutorIdentity('p-ah', 'AH-340000'), requestMaterials, { id, note: '补充' }],
      [lawyer, approve, { id }],
    ] as const) {
      expect(codes(await h.call(who, q, v))).toEqual(['FORBIDDEN']);
    }
    expect((await h.models.BindingApplication.findById(id).lean().exec())!.status).toBe(
      'SUBMITTED',
    );
  });

  it('rejects with a reason; the reason is stored and announced', async () => {
    const id = (await apply(freshLawyer())).data.submitBindingApplication.id;
    expect(codes(await h.call(wangSh, reject, { id, reason: '  ' }))).toEqual(['BAD_USER_INPUT']);
    const rejected = await h.call(wangSh, reject, { id, reason: '授权委托书不清晰' });
    expect(rejected.data.rejectBindingApplication).toMatchObject({
      status: 'REJECTED',
      decisionReason: '授权委托书不清晰',
    });
    await until(() => eventsOf(id).length === 2);
    expect(events.filter((e) => e.payload.applicationId === id).at(-1)!.payload).toMatchObject({
      status: 'REJECTED',
      reason: '授权委托书不清晰',
    });
  });

  it('asks for missing materials; the lawyer adds them and the application returns to review', async () => {
    const lawyer = freshLawyer();
    const id = (await apply(lawyer)).data.submitBindingApplication.id;
    const asked = await h.call(wangSh, requestMaterials, {
      id,
      note: '请补充律师事务所所函原件扫描件',
    });
    expect(asked.data.requestBindingMaterials).toMatchObject({
      status: 'MATERIALS_REQUESTED',
      materialsRequestNote: '请补充律师事务所所函原件扫描件',
    });
    // The note travels with the event, so the lawyer's SMS and message say what is missing (issue 15).
    await until(() =>
      events.some(
        (e) => e.payload.applicationId === id && e.payload.status === 'MATERIALS_REQUESTED',
      ),
    );
    expect(
      events.find(
        (e) => e.payload.applicationId === id && e.payload.status === 'MATERIALS_REQUESTED',
      )!.payload.reason,
    ).toBe('请补充律师事务所所函原件扫描件');
    expect(codes(await h.call(wangSh, approve, { id }))).toEqual(['CONFLICT']);
    const extra = await uploadAttachment(
      h,
      lawyer,
      'LAW_FIRM_LETTER',
      '所函.png',
      'image/png',
      files.png,
    );
    expect(
      codes(await h.call(freshLawyer(), addMaterials, { id, attachmentIds: [extra.body.id] })),
    ).toEqual(['FORBIDDEN']);
    const added = await h.call(lawyer, addMaterials, { id, attachmentIds: [extra.body.id] });
    expect(added.errors).toBeUndefined();
    expect(added.data.addBindingMaterials).toMatchObject({
      status: 'SUBMITTED',
      materialsRequestNote: null,
    });
    expect(added.data.addBindingMaterials.attachments).toHaveLength(4);
    expect((await h.call(wangSh, approve, { id })).data.approveBindingApplication.status).toBe(
      'APPROVED',
    );
  });

  it('lets the lawyer withdraw only while pending', async () => {
    const lawyer = freshLawyer();
    const id = (await apply(lawyer)).data.submitBindingApplication.id;
    await h.call(wangSh, approve, { id });
    expect(codes(await h.call(lawyer, withdraw, { id }))).toEqual(['CONFLICT']);
    expect((await h.models.BindingApplication.findById(id).lean().exec())!.status).toBe('APPROVED');
  });

  it('decides approve-versus-reject races exactly once', async () => {
    const id = (await apply(freshLawyer())).data.submitBindingApplication.id;
    const other = prosecutorIdentity('prosecutor-li', shanghai.id);
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => h.call(wangSh, approve, { id })),
      ...Array.from({ length: 4 }, () => h.call(other, reject, { id, reason: '材料不全' })),
    ]);
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.errors).every((r) => codes(r)[0] === 'CONFLICT')).toBe(true);
    const stored = await h.models.BindingApplication.findById(id).lean().exec();
    const winner = winners[0]!.data;
    expect(stored!.status).toBe(
      winner.approveBindingApplication?.status ?? winner.rejectBindingApplication.status,
    );
    expect(stored!.version).toBe(1);
    expect(
      await h.db
        .collection('binding_decisions')
        .countDocuments({ _id: `${id}:decision:0` as never }),
    ).toBe(1);
  });

  it('lets the reviewing procuratorate download an attachment, not another one', async () => {
    const lawyer = freshLawyer();
    const app = (await apply(lawyer)).data.submitBindingApplication;
    const attachmentId = app.attachments[0].id;
    const res = await h.route(wangSh, `/downloads/attachments/${attachmentId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('授权委托书.pdf')}`,
    );
    expect(Buffer.from(await res.arrayBuffer()).equals(files.pdf)).toBe(true);
    expect((await h.route(zhaoGd, `/downloads/attachments/${attachmentId}`)).status).toBe(403);
    expect((await h.route(freshLawyer(), `/downloads/attachments/${attachmentId}`)).status).toBe(
      403,
    );
  });
});
