import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '@yuejuan/runtime';
import { codes, startReading, type Harness } from './harness.ts';
import {
  freshLawyer,
  readyPackage,
  seedProcuratorates,
  until,
  wangSh,
  withStepUp,
  zhaoGd,
} from './fixtures.ts';

const receipt = /* GraphQL */ `
  mutation R($id: ID!) {
    acknowledgeReceipt(appointmentId: $id) {
      id
      receiptAcknowledgedAt
    }
  }
`;
const unlock = /* GraphQL */ `
  mutation U($id: ID!, $p: String!) {
    unlockDownload(appointmentId: $id, password: $p) {
      url
      expiresAt
      fileName
      sizeBytes
      sha256
    }
  }
`;
const audit = /* GraphQL */ `
  query A($id: ID!) {
    appointment(id: $id) {
      package {
        id
        status
        lockedUntil
        downloads {
          lawyer {
            id
          }
          ip
          bytesSent
          completed
          startedAt
        }
      }
    }
  }
`;
const revoke = /* GraphQL */ `
  mutation V($id: ID!, $reason: String!) {
    revokePackage(id: $id, reason: $reason) {
      id
      status
    }
  }
`;
const rekey = /* GraphQL */ `
  mutation K($id: ID!) {
    requestNewPackagePasswords(appointmentId: $id) {
      id
      status
    }
  }
`;

describe('the download (卷宗下载)', () => {
  let h: Harness;
  let lawyer: ReturnType<typeof freshLawyer>;
  let ready: Awaited<ReturnType<typeof readyPackage>>;
  const grant = async (who: Identity = lawyer, password = ready.password) =>
    h.call(withStepUp(who, 'DOWNLOAD'), unlock, { id: ready.appointmentId, p: password });

  beforeAll(async () => {
    h = await startReading('rd_dl', {
      DOWNLOAD_MAX_ATTEMPTS: '3',
      DOWNLOAD_LOCK_MINUTES: '15',
      DOWNLOAD_GRANT_TTL_SECONDS: '60',
    });
    await seedProcuratorates(h);
    lawyer = freshLawyer();
    ready = await readyPackage(
      h,
      lawyer,
      [
        ['第1卷', 3],
        ['第2卷', 4],
        ['第3卷', 2],
      ],
      '王某职务侵占案',
    );
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('refuses without the receipt, then records it', async () => {
    expect(codes(await grant())).toEqual(['RECEIPT_REQUIRED']);
    const r = await h.call(lawyer, receipt, { id: ready.appointmentId });
    expect(r.errors).toBeUndefined();
    expect(
      (await h.models.Appointment.findById(ready.appointmentId).lean().exec())!
        .receiptAcknowledgedAt,
    ).toBeInstanceOf(Date);
  });

  it('refuses without a fresh DOWNLOAD step-up, even from a verified session', async () => {
    const noStepUp = await h.call(lawyer, unlock, { id: ready.appointmentId, p: ready.password });
    expect(codes(noStepUp)).toEqual(['STEP_UP_REQUIRED']);
    expect(noStepUp.errors![0]!.extensions!.purpose).toBe('DOWNLOAD');
    const old = {
      ...lawyer,
      stepUps: [
        {
          id: 'old-challenge',
          purpose: 'DOWNLOAD',
          confirmedAt: new Date(Date.now() - 3_600_000).toISOString(),
        },
      ],
    } as Identity;
    expect(
      codes(await h.call(old, unlock, { id: ready.appointmentId, p: ready.password })),
    ).toEqual(['STEP_UP_REQUIRED']);
  });

  it('serves the zip to the granted session with Content-Length, ETag and a Chinese file name, and resumes with Range', async () => {
    const g = await grant();
    expect(g.errors).toBeUndefined();
    const { url, sizeBytes, sha256, fileName } = g.data.unlockDownload;
    expect(fileName).toMatch(/^王某职务侵占案-卷宗-/);
    const full = await h.route(lawyer, url, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(full.status).toBe(200);
    expect(full.headers.get('content-length')).toBe(String(sizeBytes));
    expect(full.headers.get('etag')).toBe(`"${sha256}"`);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(full.headers.get('content-disposition')).toBe(
      `attachment; filename="${fileName.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    );
    const whole = Buffer.from(await full.arrayBuffer());
    expect(createHash('sha256').update(whole).digest('hex')).toBe(sha256);

    // A broken download resumes: the first part, then the rest from where it stopped.
    const cut = Math.floor(sizeBytes / 3);
    const head = await h.route(lawyer, url, { headers: { range: `bytes=0-${cut - 1}` } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-${cut - 1}/${sizeBytes}`);
    const tail = await h.route(lawyer, url, {
      headers: { range: `bytes=${cut}-`, 'if-range': `"${sha256}"` },
    });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-length')).toBe(String(sizeBytes - cut));
    const joined = Buffer.concat([
      Buffer.from(await head.arrayBuffer()),
      Buffer.from(await tail.arrayBuffer()),
    ]);
    expect(createHash('sha256').update(joined).digest('hex')).toBe(sha256);
    const beyond = await h.route(lawyer, url, { headers: { range: `bytes=${sizeBytes}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${sizeBytes}`);

    // Every request is audited, visible to the procuratorate and not to the lawyer.
    const records = await until(async () => {
      const r = await h.call(wangSh, audit, { id: ready.appointmentId });
      const d = r.data?.appointment.package.downloads;
      return d?.filter((x: { completed: boolean }) => x.completed).length === 2 ? d : null; // 416 sends nothing and is not a download
    }, 10_000);
    expect(records.find((d: { ip: string }) => d.ip === '203.0.113.7')).toMatchObject({
      lawyer: { id: lawyer.lawyerId },
      bytesSent: sizeBytes,
      completed: true,
    });
    expect(records.filter((d: { completed: boolean }) => d.completed)).toHaveLength(2); // the whole file, and the resumed tail
    expect(codes(await h.call(lawyer, audit, { id: ready.appointmentId }))).toEqual(['FORBIDDEN']);
    expect(codes(await h.call(zhaoGd, audit, { id: ready.appointmentId }))).toEqual(['FORBIDDEN']);
  });

  it('refuses the URL to another session, another lawyer and without a token', async () => {
    const { url } = (await grant()).data.unlockDownload;
    expect(
      (await h.route({ ...lawyer, sessionId: 'another-session' } as Identity, url)).status,
    ).toBe(403);
    expect((await h.route(freshLawyer(), url)).status).toBe(403);
    expect((await h.route(wangSh, url)).status).toBe(403);
    expect((await h.route(null, url)).status).toBe(401);
    expect((await h.route(lawyer, '/downloads/not-a-grant')).status).toBe(404);
  });

  it("does not let lawyer B see or unlock lawyer A's package", async () => {
    const other = freshLawyer();
    expect(codes(await h.call(other, audit, { id: ready.appointmentId }))).toEqual(['FORBIDDEN']);
    expect(codes(await h.call(other, receipt, { id: ready.appointmentId }))).toEqual(['FORBIDDEN']);
    expect(codes(await grant(other))).toEqual(['FORBIDDEN']);
    const entity = await h.call(
      other,
      /* GraphQL */ `
        query E($r: [_Any!]!) {
          _entities(representations: $r) {
            ... on CaseFilePackage {
              id
            }
          }
        }
      `,
      { r: [{ __typename: 'CaseFilePackage', id: ready.pkg.id }] },
    );
    expect(codes(entity)).toEqual(['FORBIDDEN']);
  });

  it('refuses an expired URL', async () => {
    const { url } = (await grant()).data.unlockDownload;
    const token = url.split('/').at(-1)!;
    await h.models.Grant.updateOne(
      { _id: createHash('sha256').update(token).digest('hex') },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    ).exec();
    expect((await h.route(lawyer, url)).status).toBe(410);
  });

  it('counts wrong passwords and locks after the limit, even for the right one', async () => {
    const first = await grant(lawyer, 'wrong-1');
    expect(codes(first)).toEqual(['WRONG_PASSWORD']);
    expect(first.errors![0]!.extensions!.attemptsLeft).toBe(2);
    const racing = await Promise.all([
      grant(lawyer, 'wrong-2'),
      grant(lawyer, 'wrong-3'),
      grant(lawyer, 'wrong-4'),
    ]);
    expect(racing.flatMap(codes)).toContain('PACKAGE_LOCKED');
    expect(codes(await grant())).toEqual(['PACKAGE_LOCKED']);
    const stored = await h.models.Package.findById(ready.pkg.id).lean().exec();
    expect(stored!.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(
      (await h.call(wangSh, audit, { id: ready.appointmentId })).data.appointment.package
        .lockedUntil,
    ).toBe(stored!.lockedUntil!.toISOString());
    // Once the lock has passed, the right password works again and the count starts over.
    await h.models.Package.updateOne(
      { _id: ready.pkg.id },
      { $set: { lockedUntil: new Date(Date.now() - 1000) } },
    ).exec();
    expect((await grant()).errors).toBeUndefined();
  });

  it('re-keys on request after a DOWNLOAD step-up: new passwords by SMS, old password and URLs dead', async () => {
    const { url: oldUrl } = (await grant()).data.unlockDownload;
    expect(codes(await h.call(lawyer, rekey, { id: ready.appointmentId }))).toEqual([
      'STEP_UP_REQUIRED',
    ]);
    const smsBefore = h.sms.length;
    const r = await h.call(withStepUp(lawyer, 'DOWNLOAD'), rekey, { id: ready.appointmentId });
    expect(r.data.requestNewPackagePasswords.status).toBe('PREPARING');
    await until(
      async () =>
        (await h.models.Package.findById(ready.pkg.id).lean().exec())!.status === 'READY' &&
        h.sms.length >= smsBefore + 2,
    );
    const fresh = h.sms.slice(smsBefore);
    const newPassword = fresh.find((m) => m.kind === 'PACKAGE_READY')!.variables.password!;
    expect(newPassword).not.toBe(ready.password);
    expect(fresh.find((m) => m.kind === 'DOCUMENT_PASSWORD')!.variables.password).not.toBe(
      ready.documentPassword,
    );
    expect((await h.route(lawyer, oldUrl)).status).toBe(410);
    expect(codes(await grant(lawyer, ready.password))).toEqual(['WRONG_PASSWORD']);
    expect((await grant(lawyer, newPassword)).errors).toBeUndefined();
    ready = { ...ready, password: newPassword };
  });

  it('refuses after expiry, and after revocation (which stops the URL at once)', async () => {
    const { url } = (await grant()).data.unlockDownload;
    await h.models.Package.updateOne(
      { _id: ready.pkg.id },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    ).exec();
    expect(codes(await grant())).toEqual(['PACKAGE_EXPIRED']);
    expect((await h.route(lawyer, url)).status).toBe(410);
    expect(
      (await h.call(wangSh, audit, { id: ready.appointmentId })).data.appointment.package.status,
    ).toBe('EXPIRED');
    await h.models.Package.updateOne(
      { _id: ready.pkg.id },
      { $set: { expiresAt: new Date(Date.now() + 86_400_000) } },
    ).exec();
    expect((await h.route(lawyer, url, { headers: { range: 'bytes=0-9' } })).status).toBe(206);

    expect(codes(await h.call(zhaoGd, revoke, { id: ready.pkg.id, reason: '错误发布' }))).toEqual([
      'FORBIDDEN',
    ]);
    const revoked = await h.call(wangSh, revoke, { id: ready.pkg.id, reason: '错误发布' });
    expect(revoked.data.revokePackage.status).toBe('REVOKED');
    expect((await h.route(lawyer, url)).status).toBe(410);
    expect(codes(await grant())).toEqual(['PACKAGE_REVOKED']);
    expect(await h.models.Appointment.findById(ready.appointmentId).lean().exec()).toMatchObject({
      status: 'CLOSED',
      closedReason: '卷宗已被检察院撤回：错误发布',
    });
  });
});
