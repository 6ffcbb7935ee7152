import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, startReading, type Harness } from './harness.ts';
import {
  approvedAppointment,
  freshLawyer,
  makePdf,
  readyPackage,
  seedProcuratorates,
  until,
  uploadVolume,
  wangSh,
  withStepUp,
  zhaoGd,
} from './fixtures.ts';
import { pdfText, unzip } from './zip.ts';

const volumesOf = /* GraphQL */ `
  query V($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Case {
        volumes {
          id
          title
          position
          pageCount
          sizeBytes
        }
      }
    }
  }
`;
const arrange = /* GraphQL */ `
  mutation A($caseId: ID!, $volumes: [VolumeArrangementInput!]!) {
    arrangeVolumes(caseId: $caseId, volumes: $volumes) {
      id
      title
      position
    }
  }
`;
const remove = /* GraphQL */ `
  mutation D($id: ID!) {
    deleteVolume(id: $id)
  }
`;
const publish = /* GraphQL */ `
  mutation P($id: ID!) {
    publishPackage(appointmentId: $id) {
      id
      status
      progress
    }
  }
`;

/** Downloads the whole zip of a ready package, as its lawyer after receipt, step-up and password. */
async function downloadZip(
  h: Harness,
  lawyer: ReturnType<typeof freshLawyer>,
  appointmentId: string,
  password: string,
): Promise<Buffer> {
  await h.call(
    lawyer,
    /* GraphQL */ `
      mutation R($id: ID!) {
        acknowledgeReceipt(appointmentId: $id) {
          id
        }
      }
    `,
    { id: appointmentId },
  );
  const stepped = withStepUp(lawyer, 'DOWNLOAD');
  const grant = await h.call(
    stepped,
    /* GraphQL */ `
      mutation U($id: ID!, $p: String!) {
        unlockDownload(appointmentId: $id, password: $p) {
          url
          sha256
          sizeBytes
        }
      }
    `,
    { id: appointmentId, p: password },
  );
  if (grant.errors) throw new Error(JSON.stringify(grant.errors));
  const res = await h.route(lawyer, grant.data.unlockDownload.url);
  return Buffer.from(await res.arrayBuffer());
}

describe('case-file preparation and the package build', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startReading('rd_pkg');
    await seedProcuratorates(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("takes PDF volumes from the case's prosecutors only, refusing non-PDFs and storing nothing for them", async () => {
    const { caseId } = await approvedAppointment(h, freshLawyer());
    const ok = await uploadVolume(h, wangSh, caseId, '第1卷 诉讼文书', await makePdf('v1', 3));
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ title: '第1卷 诉讼文书', position: 1, pageCount: 3 });
    const before = await readdir(join(h.blobDir, 'reading', 'volumes'));
    expect(
      (await uploadVolume(h, wangSh, caseId, '假卷', Buffer.from('not a pdf at all'))).status,
    ).toBe(415);
    expect(
      (await uploadVolume(h, wangSh, caseId, '坏卷', Buffer.from('%PDF-1.7\ngarbage'))).status,
    ).toBe(415);
    expect(
      (await uploadVolume(h, wangSh, caseId, '图片', await makePdf('x', 1), 'image/png')).status,
    ).toBe(415);
    expect((await uploadVolume(h, zhaoGd, caseId, '外院', await makePdf('x', 1))).status).toBe(403);
    expect(
      (await uploadVolume(h, freshLawyer(), caseId, '律师', await makePdf('x', 1))).status,
    ).toBe(403);
    expect(await readdir(join(h.blobDir, 'reading', 'volumes'))).toEqual(before);
    expect(await h.models.Volume.countDocuments({ caseId }).exec()).toBe(1);
  });

  it('stops an upload streamed past the size limit (no Content-Length) and stores nothing', async () => {
    const { caseId } = await approvedAppointment(h, freshLawyer());
    await h.restart({ VOLUME_MAX_BYTES: '4096' });
    try {
      const big = await makePdf('x'.repeat(40), 60); // well over 4 KB
      expect(big.length).toBeGreaterThan(4096);
      const before = await readdir(join(h.blobDir, 'reading', 'volumes')).catch(() => []);
      const chunked = new ReadableStream({
        start(c) {
          for (let at = 0; at < big.length; at += 1000) c.enqueue(big.subarray(at, at + 1000));
          c.close();
        },
      });
      const res = await h.route(
        wangSh,
        `/uploads/volumes?caseId=${caseId}&title=${encodeURIComponent('大卷')}`,
        { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: chunked },
      );
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', maxBytes: 4096 });
      expect(await readdir(join(h.blobDir, 'reading', 'volumes')).catch(() => [])).toEqual(before);
      expect(await h.models.Volume.countDocuments({ caseId }).exec()).toBe(0);
    } finally {
      await h.restart();
    }
  });

  it('orders and names volumes, and deletes one not in a package', async () => {
    const { caseId } = await approvedAppointment(h, freshLawyer());
    const a = (await uploadVolume(h, wangSh, caseId, 'A', await makePdf('a', 1))).body.id;
    const b = (await uploadVolume(h, wangSh, caseId, 'B', await makePdf('b', 1))).body.id;
    const arranged = await h.call(wangSh, arrange, {
      caseId,
      volumes: [
        { volumeId: a, title: '第2卷 证据', position: 2 },
        { volumeId: b, title: '第1卷 文书', position: 1 },
      ],
    });
    expect(arranged.errors).toBeUndefined();
    expect(arranged.data.arrangeVolumes.map((v: { id: string }) => v.id)).toEqual([b, a]);
    expect(
      codes(
        await h.call(wangSh, arrange, {
          caseId,
          volumes: [{ volumeId: a, title: 'x', position: 1 }],
        }),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(
        await h.call(zhaoGd, arrange, {
          caseId,
          volumes: [
            { volumeId: a, title: 'x', position: 1 },
            { volumeId: b, title: 'y', position: 2 },
          ],
        }),
      ),
    ).toEqual(['FORBIDDEN']);
    const listed = await h.call(wangSh, volumesOf, {
      representations: [{ __typename: 'Case', id: caseId }],
    });
    expect(listed.data._entities[0].volumes.map((v: { title: string }) => v.title)).toEqual([
      '第1卷 文书',
      '第2卷 证据',
    ]);
    expect(
      codes(
        await h.call(freshLawyer(), volumesOf, {
          representations: [{ __typename: 'Case', id: caseId }],
        }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect((await h.call(wangSh, remove, { id: a })).data.deleteVolume).toBe(true);
    expect(await h.models.Volume.exists({ _id: a }).exec()).toBeNull();
  });

  it('builds an encrypted, watermarked package: every volume in the zip, opening only with the document password', async () => {
    const lawyer = freshLawyer();
    const ready = await readyPackage(
      h,
      lawyer,
      [
        ['第1卷 诉讼文书', 2],
        ['第2卷 证据材料', 3],
      ],
      '李某盗窃案',
    );
    expect(ready.pkg).toMatchObject({
      status: 'READY',
      progress: 1,
      volumes: [
        { title: '第1卷 诉讼文书', position: 1, pageCount: 2 },
        { title: '第2卷 证据材料', position: 2, pageCount: 3 },
      ],
    });
    expect(ready.pkg.fileName).toMatch(/^李某盗窃案-卷宗-.+\.zip$/);
    const zip = await downloadZip(h, lawyer, ready.appointmentId, ready.password);
    expect(createHash('sha256').update(zip).digest('hex')).toBe(ready.pkg.sha256);
    expect(zip.length).toBe(ready.pkg.sizeBytes);
    const entries = await unzip(zip);
    expect(entries.map((e) => e.name)).toEqual(['01-第1卷 诉讼文书.pdf', '02-第2卷 证据材料.pdf']);
    expect(entries.every((e) => e.compressionMethod === 0)).toBe(true); // stored, not deflated
    for (const entry of entries) {
      await expect(pdfText(entry.data)).rejects.toMatchObject({ name: 'PasswordException' });
      await expect(pdfText(entry.data, 'wrong-password')).rejects.toMatchObject({
        name: 'PasswordException',
      });
      const pages = await pdfText(entry.data, ready.documentPassword);
      expect(pages.length).toBe(entry.name.startsWith('01') ? 2 : 3);
      for (const text of pages) {
        expect(text).toContain(`律师${lawyer.lawyerId.slice(-2)}`);
        expect(text).toContain('执业证号13101201910012345');
        expect(text).toContain(ready.pkg.id);
        expect(text).toContain(new Date().toISOString().slice(0, 10));
      }
    }
    // Passwords leave only by SMS: the download password is stored as a scrypt hash, the document password nowhere.
    const stored = await h.models.Package.findById(ready.pkg.id).lean().exec();
    expect(stored!.downloadPasswordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(stored)).not.toContain(ready.password);
    expect(JSON.stringify(stored)).not.toContain(ready.documentPassword);
    const smsKinds = h.sms
      .filter((m) => m.to.recipientId === lawyer.lawyerId)
      .map((m) => [m.kind, Object.keys(m.variables).sort()]);
    expect(smsKinds).toEqual([
      ['PACKAGE_READY', ['caseName', 'expiresAt', 'password']],
      ['DOCUMENT_PASSWORD', ['caseName', 'password']],
    ]);
    // A completed download moves the application on (recorded when the response has finished).
    await until(
      async () =>
        (await h.models.ReadingApplication.findById(ready.applicationId).lean().exec())!.status ===
        'DOWNLOADED',
      10_000,
    );
    expect(codes(await h.call(wangSh, publish, { id: ready.appointmentId }))).toEqual(['CONFLICT']);
  });

  it('reports progress with events, and a restarted process finishes a build a crashed one left half-way', async () => {
    const lawyer = freshLawyer();
    const { caseId, appointmentId } = await approvedAppointment(h, lawyer);
    for (const t of ['第1卷', '第2卷', '第3卷'])
      await uploadVolume(h, wangSh, caseId, t, await makePdf('x', 2));
    // A process that crashed mid-build: its job RUNNING with an old heartbeat, the package PREPARING.
    await h.services.runner.stop();
    const packageId = (await h.call(wangSh, publish, { id: appointmentId })).data.publishPackage.id;
    await h.models.BuildJob.updateOne(
      { packageId },
      { $set: { status: 'RUNNING', attempt: 1, heartbeatAt: new Date(Date.now() - 60_000) } },
    ).exec();
    await h.models.Package.updateOne({ _id: packageId }, { $set: { progress: 0.33 } }).exec();
    expect((await h.models.Package.findById(packageId).lean().exec())!.status).toBe('PREPARING');
    const progress: number[] = [];
    const off = h.db.bus.subscribe(['reading.package.changed'], (e) => {
      if (e.payload.packageId === packageId) progress.push(e.payload.progress as number);
    });

    await h.restart();
    const ready = await until(async () => {
      const p = await h.models.Package.findById(packageId).lean().exec();
      return p!.status === 'READY' ? p : null;
    });
    await until(async () => progress.at(-1) === 1);
    off();
    expect(ready!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await h.models.BuildJob.findOne({ packageId }).lean().exec()).toMatchObject({
      status: 'DONE',
      attempt: 2,
    });
    expect(
      (await readdir(join(h.blobDir, 'reading', 'packages'))).filter((f) => f.startsWith('.')),
    ).toEqual([]);
    expect(progress[0]).toBe(0); // rebuilt from the start: the lost attempt's document password was never stored
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    const sms = await until(async () =>
      h.sms.find((m) => m.to.recipientId === lawyer.lawyerId && m.kind === 'PACKAGE_READY'),
    );
    const zip = await downloadZip(h, lawyer, appointmentId, sms.variables.password!);
    expect((await unzip(zip)).map((e) => e.name)).toEqual([
      '01-第1卷.pdf',
      '02-第2卷.pdf',
      '03-第3卷.pdf',
    ]);
  });
});
