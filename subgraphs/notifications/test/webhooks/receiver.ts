// A real webhook receiver on loopback, as an integrator would write one: it verifies each
// request with standardwebhooks' `Webhook.verify` and de-duplicates by `webhook-id`. Tests can
// make it answer an error, hold requests unanswered, or stop and start again on the same port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** Verified with one of the receiver's secrets. */
  verified: boolean;
  /** Parsed body, when verified. */
  payload: Record<string, unknown> | null;
  /** What this receiver answered (null: held, never answered). */
  answered: number | null;
}

export async function startReceiver(options: { port?: number; secrets?: string[] } = {}) {
  const received: Received[] = [];
  const state = {
    secrets: options.secrets ?? [],
    status: 200,
    /** Hold requests unanswered (the sender times out, or is killed meanwhile). */
    hold: false,
    onRequest: null as ((r: Received) => void) | null,
  };
  const held: http.ServerResponse[] = [];
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let payload: Record<string, unknown> | null = null;
      for (const secret of state.secrets) {
        try {
          payload = new Webhook(secret).verify(body, headers) as Record<string, unknown>;
          break;
        } catch {
          /* the next secret, or unverified */
        }
      }
      const r: Received = {
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body,
        verified: payload !== null,
        payload,
        answered: state.hold ? null : payload ? state.status : 401,
      };
      received.push(r);
      state.onRequest?.(r);
      if (state.hold) {
        held.push(res);
        return;
      }
      res.writeHead(r.answered!, { 'content-type': 'text/plain' }).end('ok');
    });
  };
  let server = http.createServer(handler);
  let listening = true;
  await new Promise<void>((r) => server.listen(options.port ?? 0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const close = async () => {
    if (!listening) return;
    listening = false;
    for (const res of held.splice(0)) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    state,
    /** Requests answered 2xx, by webhook-id (what an idempotent receiver would process). */
    accepted(): Map<string, Received[]> {
      const m = new Map<string, Received[]>();
      for (const r of received)
        if (r.answered !== null && r.answered < 300) m.set(r.id, [...(m.get(r.id) ?? []), r]);
      return m;
    },
    /** Stops listening (connections refused) until `start`. */
    stop: close,
    async start() {
      if (listening) return;
      listening = true;
      server = http.createServer(handler);
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    close,
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
