// The outside services a production configuration must call, simulated on this machine: the
// identity-verification (face) service and Alibaba Cloud's SMS API, each speaking its real,
// signed contract (a production instance refuses the demo face check and the development SMS
// sink). The SMS simulator also keeps an inbox, rendered with the registered template texts,
// which the operator (and the journey test) read the codes and passwords from.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { faceSignature } from '@yuejuan/identity/services';
import { smsKinds, render, templates } from '@yuejuan/notifications/templates';
import { startFake, startFakeAliyun } from '@yuejuan/testing/simulators';

/** One message as the inbox shows it (the shape of the development inbox, DevSmsInbox). */
export interface InboxMessage {
  id: string;
  phone: string;
  kind: string;
  text: string;
  sentAt: string;
}

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The inbox as a page for a person (a browser asks for text/html). */
function inboxPage(messages: InboxMessage[], phone?: string): string {
  const rows = messages
    .map(
      (m) =>
        `<tr><td>${escape(m.sentAt.slice(0, 19).replace('T', ' '))}</td><td>${escape(m.phone)}</td><td>${escape(m.kind)}</td><td>${escape(m.text)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>短信收件箱（模拟阿里云短信）</title><style>body{font:15px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.4rem .6rem;text-align:left;vertical-align:top}</style></head><body><main><h1>短信收件箱（模拟阿里云短信）</h1><p>集群的短信发往模拟的阿里云短信接口，验证码与密码在此查看${phone ? `（${escape(phone)}）` : ''}。<a href="">刷新</a></p><table><thead><tr><th scope="col">时间 (UTC)</th><th scope="col">手机号</th><th scope="col">类型</th><th scope="col">内容</th></tr></thead><tbody>${rows || '<tr><td colspan="4">暂无短信</td></tr>'}</tbody></table></main></body></html>`;
}

/** `inboxPort`: where the inbox listens (0: any free port). */
export async function startSimulators(inboxPort = 0) {
  const face = { appId: 'cluster-face', secret: randomBytes(24).toString('hex') };
  const faceServer = await startFake(({ method, headers, body }) => {
    const h = (name: string) => String(headers[name] ?? '');
    const fresh = Math.abs(Date.now() / 1000 - Number(h('x-timestamp'))) < 300;
    const signed =
      h('x-signature') ===
      faceSignature(face.secret, face.appId, h('x-timestamp'), h('x-nonce'), body);
    if (method !== 'POST' || h('x-app-id') !== face.appId || !fresh || !signed)
      return { status: 401, json: { code: 'AUTH_FAILED', message: 'bad signature' } };
    return { json: { code: '0', result: 'PASS', score: 97 } };
  });

  const keys = { accessKeyId: 'LTAI-cluster', accessKeySecret: randomBytes(24).toString('hex') };
  const sms = await startFakeAliyun(keys);
  const templateIds = Object.fromEntries(
    smsKinds.map((kind, i) => [kind, `SMS_9${String(i + 1).padStart(5, '0')}`]),
  );
  const kindOf = new Map(Object.entries(templateIds).map(([kind, id]) => [id, kind]));
  const sentAt = new Map<string, string>();
  const inbox = (phone?: string): InboxMessage[] =>
    sms.sent
      .filter((m) => !phone || m.phone === phone)
      .map((m) => {
        const kind = kindOf.get(m.templateCode) ?? m.templateCode;
        const text = templates[kind as keyof typeof templates]?.sms?.text ?? '';
        if (!sentAt.has(m.outId)) sentAt.set(m.outId, new Date().toISOString());
        return {
          id: m.outId,
          phone: m.phone,
          kind,
          text: render(text, m.params),
          sentAt: sentAt.get(m.outId)!,
        };
      })
      .reverse();
  // GET /inbox?phone=… answers the messages, newest first.
  const inboxServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://inbox');
    if (req.method !== 'GET' || url.pathname !== '/inbox') {
      res.writeHead(404).end();
      return;
    }
    const phone = url.searchParams.get('phone') ?? undefined;
    if (req.headers.accept?.includes('text/html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(inboxPage(inbox(phone), phone));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(inbox(phone)));
  });
  await new Promise<void>((resolve, reject) => {
    inboxServer.once('error', reject);
    inboxServer.listen(inboxPort, '127.0.0.1', resolve);
  });
  const inboxUrl = `http://127.0.0.1:${(inboxServer.address() as AddressInfo).port}/inbox`;

  return {
    /** Settings of every identity and notifications instance. */
    env: {
      FACE_PROVIDER: 'http',
      FACE_HTTP_ENDPOINT: `${faceServer.url}v1/face/verify`,
      FACE_HTTP_APP_ID: face.appId,
      FACE_HTTP_SECRET: face.secret,
      SMS_PROVIDER: 'aliyun',
      SMS_ALIYUN_ENDPOINT: sms.url,
      SMS_ALIYUN_ACCESS_KEY_ID: keys.accessKeyId,
      SMS_ALIYUN_ACCESS_KEY_SECRET: keys.accessKeySecret,
      SMS_ALIYUN_RECEIPT_TOKEN: randomBytes(16).toString('hex'),
      SMS_TEMPLATE_IDS: JSON.stringify(templateIds),
    },
    inboxUrl,
    inbox,
    /** Sends per provider message id (OutId): more than 1 is an SMS sent twice. */
    sendsByOutId: sms.byOutId,
    async close() {
      inboxServer.closeAllConnections();
      await new Promise<void>((resolve) => inboxServer.close(() => resolve()));
      await Promise.all([faceServer.close(), sms.close()]);
    },
  };
}
export type Simulators = Awaited<ReturnType<typeof startSimulators>>;
