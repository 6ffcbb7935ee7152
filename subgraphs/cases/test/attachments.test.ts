import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCases, type Harness } from './harness.ts';
import {
  files,
  seedProcuratorates,
  uploadAttachment,
  wangSh,
  zhangSan,
  zhangSanId,
} from './fixtures.ts';

const limit = 64 * 1024;

describe('binding attachments upload', () => {
  let h: Harness;
  const storedFiles = async () =>
    await readdir(join(h.blobDir, 'cases', 'attachments')).catch(() => [] as string[]);

  beforeAll(async () => {
    h = await startCases('cases_attachments', { ATTACHMENT_MAX_BYTES: String(limit) });
    await seedProcuratorates(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('stores a PDF, a JPEG and a PNG of a lawyer, with their checked type, size and hash', async () => {
    for (const [name, type, body] of [
      ['授权委托书.pdf', 'application/pdf', files.pdf],
      ['执业证.JPG', 'image/jpeg', files.jpeg],
      ['身份证.png', 'image/png', files.png],
    ] as const) {
      const r = await uploadAttachment(h, zhangSan, 'LICENCE', name, type, body);
      expect(r.status, name).toBe(201);
      expect(r.body).toMatchObject({ fileName: name, contentType: type, sizeBytes: body.length });
      const doc = await h.models.Attachment.findById(r.body.id).lean().exec();
      expect(doc).toMatchObject({ lawyerId: zhangSanId, kind: 'LICENCE', sizeBytes: body.length });
      expect(doc!.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(await storedFiles()).toContain(doc!.blobId);
    }
  });

  it('refuses a wrong type, lying bytes, a lying extension, an empty file and an unknown kind, storing nothing', async () => {
    const docsBefore = await h.models.Attachment.countDocuments().exec();
    const filesBefore = (await storedFiles()).length;
    const cases = [
      ['说明.txt', 'text/plain', files.text, 'LICENCE', 415],
      ['假的.pdf', 'application/pdf', files.text, 'LICENCE', 415], // bytes are not a PDF
      ['照片.pdf', 'application/pdf', files.png, 'LICENCE', 415], // PNG bytes declared as PDF
      ['函.png', 'application/pdf', files.pdf, 'LICENCE', 415], // PDF bytes, extension lies
      ['空.pdf', 'application/pdf', Buffer.alloc(0), 'LICENCE', 400],
      ['函.pdf', 'application/pdf', files.pdf, 'SELFIE', 400],
    ] as const;
    for (const [name, type, body, kind, status] of cases) {
      const r = await uploadAttachment(h, zhangSan, kind, name, type, body);
      expect(r.status, name).toBe(status);
      expect(r.body.code, name).toMatch(
        status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_USER_INPUT',
      );
    }
    expect(await h.models.Attachment.countDocuments().exec()).toBe(docsBefore);
    expect((await storedFiles()).length).toBe(filesBefore);
  });

  it('refuses a file over the limit by Content-Length and while streaming (no length), storing nothing', async () => {
    const docsBefore = await h.models.Attachment.countDocuments().exec();
    const big = Buffer.concat([files.pdf, Buffer.alloc(limit, 0x20)]);
    const declared = await uploadAttachment(
      h,
      zhangSan,
      'LICENCE',
      '大.pdf',
      'application/pdf',
      big,
    );
    expect(declared.status).toBe(413);
    expect(declared.body.code).toBe('PAYLOAD_TOO_LARGE');

    // A chunked body has no Content-Length: the limit must hold while the bytes arrive.
    const chunks = async function* () {
      for (let i = 0; i < 8; i++)
        yield big.subarray(i * (big.length / 8), (i + 1) * (big.length / 8));
    };
    const res = await h.route(
      zhangSan,
      `/uploads/attachments?kind=LICENCE&fileName=${encodeURIComponent('大.pdf')}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/pdf' },
        body: ReadableStream.from(chunks()) as never,
      },
    );
    expect(res.status).toBe(413);
    expect(await h.models.Attachment.countDocuments().exec()).toBe(docsBefore);
    expect((await storedFiles()).filter((f) => !f.startsWith('.'))).toHaveLength(docsBefore);
    expect((await storedFiles()).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('is for lawyers only, and only with a gateway token', async () => {
    expect(
      (await uploadAttachment(h, wangSh, 'LICENCE', 'a.pdf', 'application/pdf', files.pdf)).status,
    ).toBe(403);
    const res = await h.route(null, '/uploads/attachments?kind=LICENCE&fileName=a.pdf', {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: files.pdf,
    });
    expect(res.status).toBe(401);
  });
});
