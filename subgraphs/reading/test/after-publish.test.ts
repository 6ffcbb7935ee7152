// After a package is published (issue 15.4): the prosecutor re-issues a revoked or expired one
// (new passwords, the old ones and link dead, the appointment open again), the lawyer is told a
// day before a package expires, and may apply again once an application no longer holds the case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, startReading, type Harness } from './harness.ts';
import {
  accepted,
  freshLawyer,
  readyPackage,
  seedProcuratorates,
  until,
  wangSh,
  withStepUp,
} from './fixtures.ts';

const publish = /* GraphQL */ `
  mutation P($id: ID!) {
    publishPackage(appointmentId: $id) {
      id
      status
    }
  }
`;
const revoke = /* GraphQL */ `
  mutation R($id: ID!, $reason: String!) {
    revokePackage(id: $id, reason: $reason) {
      id
      status
    }
  }
`;
const mine = /* GraphQL */ `
  query M($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on Lawyer {
        readingApplications(first: 10) {
          edges {
            node {
              id
              status
              holdsCase
            }
          }
        }
      }
    }
  }
`;
const submit = /* GraphQL */ `
  mutation S($input: ReadingApplicationInput!) {
    submitReadingApplication(input: $input) {
      id
      status
    }
  }
`;
const unlock = /* GraphQL */ `
  mutation U($id: ID!, $p: String!) {
    unlockDownload(appointmentId: $id, password: $p) {
      url
    }
  }
`;

describe('after publishing: re-issue, expiry notice, applying again', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startReading('rd_after');
    await seedProcuratorates(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const holds = async (lawyer: ReturnType<typeof freshLawyer>) =>
    (
      await h.call(lawyer, mine, { r: [{ __typename: 'Lawyer', id: lawyer.lawyerId }] })
    ).data._entities[0].readingApplications.edges.map(
      (e: { node: { holdsCase: boolean } }) => e.node.holdsCase,
    );
  const events = (topic: string) =>
    h.db.getClient().db(`${h.db.name}_ev`).collection('events').find({ topic }).toArray();

  it('re-issues a revoked package: a new package with new passwords, the old password and link dead, the appointment open again', async () => {
    const lawyer = freshLawyer();
    const first = await readyPackage(h, lawyer);
    await h.call(
      lawyer,
      /* GraphQL */ `
        mutation A($id: ID!) {
          acknowledgeReceipt(appointmentId: $id) {
            id
          }
        }
      `,
      { id: first.appointmentId },
    );
    const oldUrl = (
      await h.call(withStepUp(lawyer, 'DOWNLOAD'), unlock, {
        id: first.appointmentId,
        p: first.password,
      })
    ).data.unlockDownload.url as string;
    expect(
      (await h.call(wangSh, revoke, { id: first.pkg.id, reason: '卷宗有误，重新制作' })).data
        .revokePackage.status,
    ).toBe('REVOKED');
    expect(await holds(lawyer)).toEqual([false]); // the lawyer could apply again now

    const again = await h.call(wangSh, publish, { id: first.appointmentId });
    expect(again.errors).toBeUndefined();
    expect(again.data.publishPackage.id).not.toBe(first.pkg.id);
    expect((await h.models.Appointment.findById(first.appointmentId).lean().exec())!.status).toBe(
      'WAITING_FOR_FILE',
    );
    expect(await holds(lawyer)).toEqual([true]);
    const newId = again.data.publishPackage.id as string;
    await until(
      async () => (await h.models.Package.findById(newId).lean().exec())?.status === 'READY',
    );
    const sms = await until(async () => {
      const sent = h.sms.filter((m) => m.dedupeKey.startsWith(newId));
      return sent.length >= 2 ? sent : null;
    });
    const newPassword = sms.find((m) => m.kind === 'PACKAGE_READY')!.variables.password!;
    expect(newPassword).not.toBe(first.password);
    expect((await h.route(lawyer, oldUrl)).status).toBe(410);
    expect(
      codes(
        await h.call(withStepUp(lawyer, 'DOWNLOAD'), unlock, {
          id: first.appointmentId,
          p: first.password,
        }),
      ),
    ).toEqual(['WRONG_PASSWORD']);
    const fresh = await h.call(withStepUp(lawyer, 'DOWNLOAD'), unlock, {
      id: first.appointmentId,
      p: newPassword,
    });
    expect(fresh.errors).toBeUndefined();
    expect(
      (await h.route(lawyer, fresh.data.unlockDownload.url, { headers: { range: 'bytes=0-9' } }))
        .status,
    ).toBe(206);
    // A second 重新制作 of a ready package is refused.
    expect(codes(await h.call(wangSh, publish, { id: first.appointmentId }))).toEqual(['CONFLICT']);
  });

  it('re-issues an expired package, but not once the lawyer applied again, nor after the binding was revoked', async () => {
    const lawyer = freshLawyer();
    const a = await readyPackage(h, lawyer);
    await h.models.Package.updateOne(
      { _id: a.pkg.id },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    ).exec();
    expect(await holds(lawyer)).toEqual([false]);
    const applied = await h.call(lawyer, submit, { input: { caseId: a.caseId, ...accepted } });
    expect(applied.data.submitReadingApplication.status).toBe('SUBMITTED');
    const refused = await h.call(wangSh, publish, { id: a.appointmentId });
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors![0]!.message).toContain('重新申请');

    const other = freshLawyer();
    const b = await readyPackage(h, other);
    await h.models.Package.updateOne(
      { _id: b.pkg.id },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    ).exec();
    await h.cases.models.BindingApplication.updateOne(
      { lawyerId: other.lawyerId, caseId: b.caseId },
      { $set: { status: 'REVOKED' } },
    ).exec();
    expect(codes(await h.call(wangSh, publish, { id: b.appointmentId }))).toEqual([
      'CASE_NOT_BOUND',
    ]);
    await h.cases.models.BindingApplication.updateOne(
      { lawyerId: other.lawyerId, caseId: b.caseId },
      { $set: { status: 'APPROVED' } },
    ).exec();
    const reissued = await h.call(wangSh, publish, { id: b.appointmentId });
    expect(reissued.data.publishPackage.status).toBe('PREPARING');
  });

  it('tells the lawyer once, a day before a ready package expires', async () => {
    const lawyer = freshLawyer();
    const ready = await readyPackage(h, lawyer);
    const now = new Date();
    const before = (await events('reading.package.expiring')).length;
    await h.models.Package.updateOne(
      { _id: ready.pkg.id },
      { $set: { expiresAt: new Date(now.getTime() + 30 * 3_600_000) } },
    ).exec();
    expect(await h.services.packages.noticeExpiring(now, 24)).toBe(0);
    const expiresAt = new Date(now.getTime() + 20 * 3_600_000);
    await h.models.Package.updateOne({ _id: ready.pkg.id }, { $set: { expiresAt } }).exec();
    expect(await h.services.packages.noticeExpiring(now, 24)).toBe(1);
    expect(await h.services.packages.noticeExpiring(now, 24)).toBe(0);
    const told = (await events('reading.package.expiring')).slice(before);
    expect(told.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        packageId: ready.pkg.id,
        lawyerId: lawyer.lawyerId,
        appointmentId: ready.appointmentId,
        expiresAt: expiresAt.toISOString(),
        caseName: '李某盗窃案',
      }),
    ]);
  });
});
