import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';

/**
 * One `hello` round trip with short timeouts; true when the server answered ok.
 * A fresh client per attempt because a client that failed server selection keeps
 * backing off on its own schedule, which would slow startup.
 */
export async function helloOnce(uri: string, timeoutMs = 1000): Promise<boolean> {
  const client = new MongoClient(uri, {
    directConnection: true,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs * 2,
  });
  try {
    const res = await client.db('admin').command({ hello: 1 });
    return res['ok'] === 1;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => {});
  }
}

/**
 * Polls `hello` until it answers, `gaveUp()` returns a reason (e.g. the process
 * exited), or the deadline passes. Resolves to undefined on success, else the reason.
 */
export async function waitForHello(
  uri: string,
  opts: { port: number; deadlineMs: number; gaveUp: () => string | undefined },
): Promise<string | undefined> {
  const deadline = Date.now() + opts.deadlineMs;
  for (;;) {
    const reason = opts.gaveUp();
    if (reason) return reason;
    // A plain TCP probe first: refused connections fail in microseconds, whereas the
    // driver would sit out its server-selection timeout before reporting them.
    if ((await canConnect(opts.port)) && (await helloOnce(uri))) return undefined;
    if (Date.now() > deadline) return `no answer to hello within ${opts.deadlineMs / 1000} s`;
    await sleep(50);
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function canConnect(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
