import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.ts';
import { lawyerToken, seedPeople } from './fixtures.ts';

const pdf = Buffer.concat([
  Buffer.from('%PDF-1.7\n'),
  Buffer.alloc(2048, 0x20),
  Buffer.from('\n%%EOF\n'),
]);

describe('file routes through the gateway', () => {
  let stack: Stack;
  let token: string;
  let other: string;
  beforeAll(async () => {
    stack = await startStack('files');
    const people = await seedPeople(stack);
    token = await lawyerToken(stack, people.zhangSanId);
    other = await lawyerToken(stack, people.liSiId);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const base = () => new URL('/', stack.url);
  const upload = (body: Buffer, type: string, auth?: string) =>
    fetch(
      new URL(
        `/uploads/attachments?kind=LICENCE&fileName=${encodeURIComponent('执业证.pdf')}`,
        base(),
      ),
      {
        method: 'POST',
        body,
        headers: { 'content-type': type, ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      },
    );

  it('streams an attachment to the cases subgraph with the caller identity, and back to its owner only', async () => {
    const res = await upload(pdf, 'application/pdf', token);
    expect(res.status).toBe(201);
    const { id, sizeBytes } = (await res.json()) as { id: string; sizeBytes: number };
    expect(sizeBytes).toBe(pdf.length);
    const mine = await fetch(new URL(`/downloads/attachments/${id}`, base()), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    expect(Buffer.from(await mine.arrayBuffer()).equals(pdf)).toBe(true);
    const theirs = await fetch(new URL(`/downloads/attachments/${id}`, base()), {
      headers: { authorization: `Bearer ${other}` },
    });
    expect(theirs.status).toBe(403);
  });

  it('refuses a bad token with 401 and a lying file with a coded error, storing nothing', async () => {
    expect((await upload(pdf, 'application/pdf', 'x'.repeat(43))).status).toBe(401);
    const before = await stack.services.cases.models.Attachment.countDocuments().exec();
    const lying = await upload(
      Buffer.from('MZ\x90\x00 not a pdf at all'),
      'application/pdf',
      token,
    );
    expect(lying.status).toBeGreaterThanOrEqual(400);
    expect(lying.status).toBeLessThan(500);
    expect(await lying.json()).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: '文件内容与声明的类型不符。',
    });
    expect(await stack.services.cases.models.Attachment.countDocuments().exec()).toBe(before);
  });

  it('refuses an oversized upload sent without a Content-Length with 413, not 502, and stores nothing (issue 14)', async () => {
    const before = await stack.services.cases.models.Attachment.countDocuments().exec();
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new Uint8Array(Buffer.from('%PDF-1.7\n')));
        if (sent > 11 * 1024 * 1024) return controller.close();
        sent += chunk.length;
        controller.enqueue(new Uint8Array(chunk));
      },
    });
    const res = await fetch(new URL(`/uploads/attachments?kind=LICENCE&fileName=big.pdf`, base()), {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'content-type': 'application/pdf', authorization: `Bearer ${token}` },
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await stack.services.cases.models.Attachment.countDocuments().exec()).toBe(before);
  });

  it("passes the subgraph's nosniff on downloads (issue 14)", async () => {
    const { id } = (await (await upload(pdf, 'application/pdf', token)).json()) as { id: string };
    const res = await fetch(new URL(`/downloads/attachments/${id}`, base()), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it.each([
    ['a right-to-left override', 'exe.\u202Efdp.pdf'],
    ['a control character', 'a\u0007b.pdf'],
    ['a zero-width space', 'a\u200Bb.pdf'],
    ['a line break', 'a\nb.pdf'],
  ])('refuses an attachment name with %s (issue 14)', async (_, name) => {
    const res = await fetch(
      new URL(`/uploads/attachments?kind=LICENCE&fileName=${encodeURIComponent(name)}`, base()),
      {
        method: 'POST',
        body: pdf,
        headers: { 'content-type': 'application/pdf', authorization: `Bearer ${token}` },
      },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fileName' });
  });

  it('answers CORS preflights for the clients and not for other origins', async () => {
    const ok = await fetch(stack.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    const evil = await fetch(stack.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });
});
