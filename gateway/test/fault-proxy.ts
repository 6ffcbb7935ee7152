// A TCP proxy put between the gateway and one subgraph so tests can make that subgraph go
// down (connection refused), hang, answer late or drop the connection mid-request, and can
// see every HTTP request head the gateway sent it (headers, to check what is forwarded).
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'pass' | 'hang' | 'delay' | 'reset';

export interface RequestHead {
  requestLine: string;
  headers: Record<string, string>;
}

export interface FaultProxy {
  /** The subgraph's URL through the proxy. */
  url: string;
  /** Request heads seen since the start (or the last `requests.length = 0`). */
  requests: RequestHead[];
  /** pass: forward; hang: accept and never answer; delay: answer `delayMs` late; reset: drop after the request arrives. */
  setMode(mode: ProxyMode, delayMs?: number): void;
  /** Stops listening and drops every connection: the subgraph is "down" (connection refused). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Splits a client→server byte stream into HTTP/1.1 request heads (bodies by Content-Length). */
function headReader(onHead: (head: RequestHead) => void) {
  let buffer = Buffer.alloc(0);
  let bodyLeft = 0;
  return (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (bodyLeft > 0) {
        const skip = Math.min(bodyLeft, buffer.length);
        buffer = buffer.subarray(skip);
        bodyLeft -= skip;
        if (bodyLeft > 0) return;
      }
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine = '', ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(
        lines.map((l) => [
          l.slice(0, l.indexOf(':')).trim().toLowerCase(),
          l.slice(l.indexOf(':') + 1).trim(),
        ]),
      );
      onHead({ requestLine, headers });
      buffer = buffer.subarray(end + 4);
      bodyLeft = Number(headers['content-length'] ?? 0);
    }
  };
}

/** Starts a proxy on a free loopback port in front of `targetUrl`. */
export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let mode: ProxyMode = 'pass';
  let delayMs = 0;
  const requests: RequestHead[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const connectionMode = mode;
    const readHead = headReader((head) => {
      requests.push(head);
      if (connectionMode === 'reset') client.destroy();
    });
    if (connectionMode === 'hang' || connectionMode === 'reset') {
      client.on('data', readHead);
      return;
    }
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', (chunk: Buffer) => {
      readHead(chunk);
      upstream.write(chunk);
    });
    const wait = connectionMode === 'delay' ? delayMs : 0;
    upstream.on('data', (chunk: Buffer) => {
      if (wait === 0) client.write(chunk);
      else
        setTimeout(() => {
          if (!client.destroyed) client.write(chunk);
        }, wait);
    });
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const dropAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const stopListening = () =>
    new Promise<void>((resolve) => {
      dropAll();
      server.close(() => resolve());
    });

  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    requests,
    setMode(next, ms = 0) {
      mode = next;
      delayMs = ms;
      dropAll(); // kept-alive connections would keep the old behaviour
    },
    down: stopListening,
    up: () => listen(port),
    close: () => (server.listening ? stopListening() : Promise.resolve()),
  };
}
