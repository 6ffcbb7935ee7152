import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server started a little later.
 * It is drawn below the kernel's ephemeral range (Linux: ip_local_port_range, 32768-60999 by
 * default), where the OS never hands out ports for outgoing connections: a port picked with
 * listen(0) comes from that range, and any outgoing connection made before the server binds
 * (a database pool, a fetch) can take it (seen in CI as EADDRINUSE on a gateway's port).
 * Falls back to the OS's pick when no such range is known.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  const floor = 10_000;
  if (low - floor >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = floor + Math.floor(Math.random() * (low - floor));
      if (await isPortFree(port)) return port;
    }
  }
  return listenOnce(0);
}

/** The kernel's range for outgoing connections' local ports (IANA's 49152-65535 elsewhere). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low && high && low < high) return [low, high];
  } catch {
    // not Linux
  }
  return [49152, 65535];
}

/** Whether `port` on 127.0.0.1 can be bound right now. */
export async function isPortFree(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch {
    return false;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: HOST, port, exclusive: true }, () => {
      const addr = server.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      server.close(() => resolve(bound));
    });
  });
}
