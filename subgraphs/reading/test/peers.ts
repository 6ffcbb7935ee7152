// The identity/notifications stand-in of the reading tests and the package benchmark: the
// internal routes /internal/contacts (name and licence number of any lawyer) and /internal/sms
// (recorded, so a test can read the passwords a lawyer would receive).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { internalTokenHeader, verifyInternalToken } from '@yuejuan/runtime';

export interface Sms {
  to: { recipientId: string; role: string };
  kind: string;
  variables: Record<string, string>;
  dedupeKey: string;
}

/** The identity/notifications stand-in: contacts with name and licence number, and an SMS outbox. */
export async function startPeers(secret: string) {
  const sms: Sms[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    const audience = req.url === '/internal/sms' ? 'notifications' : 'identity';
    const identity = await verifyInternalToken(
      secret,
      audience,
      req.headers[internalTokenHeader] as string,
    ).catch(() => null);
    if (!identity || identity.role !== 'SERVICE') {
      res.writeHead(401).end('{}');
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (req.url === '/internal/sms') {
      sms.push(body);
      res.writeHead(202).end(JSON.stringify({ messageId: `m${sms.length}` }));
      return;
    }
    if (req.url === '/internal/contacts') {
      res.end(
        JSON.stringify({
          contacts: (body.ids as string[]).map((id) => ({
            id,
            role: 'LAWYER',
            name: `律师${id.slice(-2)}`,
            phone: null,
            licenceNumber: '13101201910012345',
          })),
        }),
      );
      return;
    }
    res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sms,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
