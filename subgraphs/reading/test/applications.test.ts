import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '@yuejuan/runtime';
import { anonymous, prosecutorIdentity } from '@yuejuan/runtime/testing';
import { codes, startReading, type Harness } from './harness.ts';
import {
  accepted,
  bind,
  freshLawyer,
  guangdong,
  readyPackage,
  seedCase,
  seedProcuratorates,
  shanghai,
  wangSh,
  withStepUp,
  zhaoGd,
} from './fixtures.ts';

const submit = /* GraphQL */ `
  mutation S($input: ReadingApplicationInput!) {
    submitReadingApplication(input: $input) {
      id
      status
      case {
        id
      }
      lawyer {
        id
      }
      noticeAcceptance {
        version
        acceptedAt
      }
      undertakingAcceptance {
        version
        acceptedAt
      }
    }
  }
`;
const approve = /* GraphQL */ `
  mutation A($id: ID!) {
    approveReadingApplication(id: $id) {
      id
      status
      decidedAt
      appointment {
        id
        type
        status
        case {
          id
        }
        lawyer {
          id
        }
        package {
          id
        }
      }
    }
  }
`;
const reject = /* GraphQL */ `
  mutation R($id: ID!, $reason: String!) {
    rejectReadingApplication(id: $id, reason: $reason) {
      id
      status
      decisionReason
    }
  }
`;
const queue = /* GraphQL */ `
  query Q($status: ReadingStatus) {
    readingReviewQueue(status: $status) {
      totalCount
      edges {
        node {
          id
          status
        }
      }
    }
  }
`;
const mine = /* GraphQL */ `
  query M($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Lawyer {
        readingApplications {
          totalCount
          edges {
            node {
              id
              status
            }
          }
        }
        appointments {
          totalCount
          edges {
            node {
              id
              type
            }
          }
        }
      }
    }
  }
`;

describe('online reading applications', () => {
  let h: Harness;
  let pilotCase: string;
  const events: DomainEvent[] = [];
  let unsubscribe: () => void;

  beforeAll(async () => {
    h = await startReading('rd_apps');
    await seedProcuratorates(h);
    pilotCase = await seedCase(h, shanghai.id, '李某盗窃案');
    unsubscribe = h.db.bus.subscribe(
      ['reading.readingApplication.changed'],
      (e) => void events.push(e),
    );
  });
  afterAll(async () => {
    unsubscribe?.();
    await h?.stop();
  });

  it('serves 申请在线阅卷须知 and 阅卷承诺书 with their versions', async () => {
    const body = await h.call(
      freshLawyer(),
      /* GraphQL */ `
        {
          readingTerms {
            notice {
              version
              title
            }
            undertaking {
              version
              title
              body
            }
          }
        }
      `,
    );
    expect(body.data.readingTerms.notice).toEqual({
      version: accepted.noticeVersion,
      title: '申请在线阅卷须知',
    });
    expect(body.data.readingTerms.undertaking.body).toContain('本人承诺');
  });

  it('accepts a bound case at a pilot procuratorate, storing both acceptances, and announces it', async () => {
    const lawyer = freshLawyer();
    await bind(h, lawyer.lawyerId, pilotCase);
    const result = await h.call(lawyer, submit, { input: { caseId: pilotCase, ...accepted } });
    expect(result.errors).toBeUndefined();
    const app = result.data.submitReadingApplication;
    expect(app).toMatchObject({
      status: 'SUBMITTED',
      case: { id: pilotCase },
      lawyer: { id: lawyer.lawyerId },
      noticeAcceptance: { version: accepted.noticeVersion },
    });
    const stored = await h.models.ReadingApplication.findById(app.id).lean().exec();
    expect(stored).toMatchObject({
      procuratorateId: shanghai.id,
      caseName: '李某盗窃案',
      noticeAcceptance: { version: accepted.noticeVersion },
      undertakingAcceptance: { version: accepted.undertakingVersion },
    });
    expect(stored!.undertakingAcceptance.acceptedAt).toBeInstanceOf(Date);
    await new Promise((r) => setTimeout(r, 300));
    expect(events.find((e) => e.payload.applicationId === app.id)?.payload).toEqual({
      applicationId: app.id,
      lawyerId: lawyer.lawyerId,
      procuratorateId: shanghai.id,
      caseId: pilotCase,
      caseName: '李某盗窃案',
      status: 'SUBMITTED',
    });
    expect(
      codes(await h.call(lawyer, submit, { input: { caseId: pilotCase, ...accepted } })),
    ).toEqual(['CONFLICT']);
  });

  it('refuses a non-pilot procuratorate, an unbound case, an excluded case (with its reason) and a missing acceptance', async () => {
    const lawyer = freshLawyer();
    const gdCase = await seedCase(h, guangdong.id, '陈某诈骗案');
    const excluded = await seedCase(h, shanghai.id, '某未成年人案', {
      category: 'MINORS',
      reason: '犯罪嫌疑人系未成年人',
    });
    const unbound = await seedCase(h, shanghai.id, '周某案');
    await bind(h, lawyer.lawyerId, gdCase);
    await bind(h, lawyer.lawyerId, excluded);
    await bind(h, lawyer.lawyerId, pilotCase, 'SUBMITTED'); // pending is not bound
    expect(codes(await h.call(lawyer, submit, { input: { caseId: gdCase, ...accepted } }))).toEqual(
      ['ONLINE_READING_UNAVAILABLE'],
    );
    expect(
      codes(await h.call(lawyer, submit, { input: { caseId: unbound, ...accepted } })),
    ).toEqual(['CASE_NOT_BOUND']);
    expect(
      codes(await h.call(lawyer, submit, { input: { caseId: pilotCase, ...accepted } })),
    ).toEqual(['CASE_NOT_BOUND']);
    const ex = await h.call(lawyer, submit, { input: { caseId: excluded, ...accepted } });
    expect(codes(ex)).toEqual(['READING_EXCLUDED']);
    expect(ex.errors![0]!.extensions).toMatchObject({
      category: 'MINORS',
      reason: '犯罪嫌疑人系未成年人',
    });
    expect(ex.errors![0]!.message).toContain('犯罪嫌疑人系未成年人');
    await bind(h, lawyer.lawyerId, unbound);
    for (const input of [
      { ...accepted, noticeVersion: '' },
      { ...accepted, noticeVersion: '2019-01' },
      { ...accepted, undertakingVersion: 'old' },
    ]) {
      const r = await h.call(lawyer, submit, { input: { caseId: unbound, ...input } });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    }
    expect(
      await h.models.ReadingApplication.countDocuments({ lawyerId: lawyer.lawyerId }).exec(),
    ).toBe(0);
  });

  it('needs a READING_APPLICATION step-up from a non-verified session', async () => {
    const lawyer = freshLawyer(false);
    const caseId = await seedCase(h, shanghai.id, '孙某案');
    await bind(h, lawyer.lawyerId, caseId);
    const refused = await h.call(lawyer, submit, { input: { caseId, ...accepted } });
    expect(codes(refused)).toEqual(['STEP_UP_REQUIRED']);
    expect(refused.errors![0]!.extensions!.purpose).toBe('READING_APPLICATION');
    expect(
      codes(
        await h.call(withStepUp(lawyer, 'BIND_CASE'), submit, { input: { caseId, ...accepted } }),
      ),
    ).toEqual(['STEP_UP_REQUIRED']);
    const ok = await h.call(withStepUp(lawyer, 'READING_APPLICATION'), submit, {
      input: { caseId, ...accepted },
    });
    expect(ok.errors).toBeUndefined();
  });

  it('lets a prosecutor of the procuratorate approve: an ONLINE_READING appointment appears for the lawyer', async () => {
    const lawyer = freshLawyer();
    const caseId = await seedCase(h, shanghai.id, '吴某案');
    await bind(h, lawyer.lawyerId, caseId);
    const id = (await h.call(lawyer, submit, { input: { caseId, ...accepted } })).data
      .submitReadingApplication.id;
    expect(codes(await h.call(zhaoGd, approve, { id }))).toEqual(['FORBIDDEN']);
    expect(codes(await h.call(lawyer, approve, { id }))).toEqual(['FORBIDDEN']);
    const queued = await h.call(wangSh, queue, {});
    expect(
      queued.data.readingReviewQueue.edges.map((e: { node: { id: string } }) => e.node.id),
    ).toContain(id);
    expect((await h.call(zhaoGd, queue, {})).data.readingReviewQueue.totalCount).toBe(0);

    const approved = await h.call(wangSh, approve, { id });
    expect(approved.errors).toBeUndefined();
    const appointment = approved.data.approveReadingApplication.appointment;
    expect(appointment).toMatchObject({
      type: 'ONLINE_READING',
      status: 'WAITING_FOR_FILE',
      case: { id: caseId },
      lawyer: { id: lawyer.lawyerId },
      package: null,
    });
    expect(await h.models.Appointment.findById(appointment.id).lean().exec()).toMatchObject({
      type: 'ONLINE_READING',
      sourceId: id,
      lawyerId: lawyer.lawyerId,
      procuratorateId: shanghai.id,
    });
    expect(codes(await h.call(prosecutorIdentity('p2', shanghai.id), approve, { id }))).toEqual([
      'CONFLICT',
    ]);
    expect(await h.models.Appointment.countDocuments({ sourceId: id }).exec()).toBe(1);

    const list = await h.call(lawyer, mine, {
      representations: [{ __typename: 'Lawyer', id: lawyer.lawyerId }],
    });
    expect(list.data._entities[0].readingApplications.edges).toEqual([
      { node: { id, status: 'APPROVED' } },
    ]);
    expect(list.data._entities[0].appointments.edges).toEqual([
      { node: { id: appointment.id, type: 'ONLINE_READING' } },
    ]);
    expect(
      codes(
        await h.call(freshLawyer(), mine, {
          representations: [{ __typename: 'Lawyer', id: lawyer.lawyerId }],
        }),
      ),
    ).toEqual(['FORBIDDEN']);
  });

  it('rejects with a reason; approve and reject racing decide once', async () => {
    const lawyer = freshLawyer();
    const caseId = await seedCase(h, shanghai.id, '郑某案');
    await bind(h, lawyer.lawyerId, caseId);
    const id = (await h.call(lawyer, submit, { input: { caseId, ...accepted } })).data
      .submitReadingApplication.id;
    const results = await Promise.all([
      h.call(wangSh, reject, { id, reason: '卷宗涉密' }),
      h.call(wangSh, approve, { id }),
      h.call(wangSh, reject, { id, reason: '卷宗涉密' }),
    ]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    const stored = await h.models.ReadingApplication.findById(id).lean().exec();
    expect(['APPROVED', 'REJECTED']).toContain(stored!.status);
    expect(await h.models.Appointment.countDocuments({ sourceId: id }).exec()).toBe(
      stored!.status === 'APPROVED' ? 1 : 0,
    );
  });

  it('accepts a new application once the reading is over (package expired, application rejected), never a second live one', async () => {
    const lawyer = freshLawyer();
    const ready = await readyPackage(h, lawyer, [['第1卷', 1]], '钱某诈骗案');
    const again = () => h.call(lawyer, submit, { input: { caseId: ready.caseId, ...accepted } });
    // Approved with a downloadable package: the reading is still on.
    expect(codes(await again())).toEqual(['CONFLICT']);

    // The package expired (its 30 days are over): a new application is accepted, but only one.
    await h.models.Package.updateOne(
      { _id: ready.pkg.id },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    ).exec();
    const racing = await Promise.all([again(), again(), again()]);
    const winners = racing.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(racing.filter((r) => r.errors).map((r) => codes(r)[0])).toEqual([
      'CONFLICT',
      'CONFLICT',
    ]);
    const second = winners[0]!.data.submitReadingApplication.id;
    expect(
      await h.models.ReadingApplication.find({ lawyerId: lawyer.lawyerId, caseId: ready.caseId })
        .sort({ _id: 1 })
        .select('status')
        .lean()
        .exec(),
    ).toMatchObject([
      { _id: ready.applicationId, status: 'FILE_READY' },
      { _id: second, status: 'SUBMITTED' },
    ]);
    expect(codes(await again())).toEqual(['CONFLICT']); // pending

    // Rejected: apply again; approved but nothing published yet: refused.
    await h.call(wangSh, reject, { id: second, reason: '材料不全' });
    const third = (await again()).data.submitReadingApplication.id;
    expect((await h.call(wangSh, approve, { id: third })).errors).toBeUndefined();
    expect(codes(await again())).toEqual(['CONFLICT']);
  });

  it('accepts a new application after the package was revoked (the appointment is closed)', async () => {
    const lawyer = freshLawyer();
    const ready = await readyPackage(h, lawyer, [['第1卷', 1]], '孙某案');
    const revoked = await h.call(
      wangSh,
      /* GraphQL */ `
        mutation V($id: ID!) {
          revokePackage(id: $id, reason: "卷宗有误") {
            status
          }
        }
      `,
      { id: ready.pkg.id },
    );
    expect(revoked.data.revokePackage.status).toBe('REVOKED');
    const again = await h.call(lawyer, submit, { input: { caseId: ready.caseId, ...accepted } });
    expect(again.errors).toBeUndefined();
    expect(
      await h.models.ReadingApplication.findById(again.data.submitReadingApplication.id)
        .lean()
        .exec(),
    ).toMatchObject({ status: 'SUBMITTED', caseId: ready.caseId });
  });

  it('refuses anonymous callers and requests without a gateway token', async () => {
    expect(codes(await h.call(anonymous, queue, {}))).toEqual(['UNAUTHENTICATED']);
    const res = await h.route(null, '/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ readingTerms { notice { title } } }' }),
    });
    expect(res.status).toBe(401);
  });
});
