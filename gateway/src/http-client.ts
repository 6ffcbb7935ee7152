import http from 'node:http';

// Every client request costs the gateway one session lookup and one POST per subgraph fetch.
// The global fetch (undici's WHATWG layer: Request/Response objects, web streams, an
// AbortSignal timer each) was the largest item of the gateway's CPU profile under load; a
// plain node:http request on a keep-alive agent does the same work for a fraction of it.

/** Keep-alive sockets to the subgraphs (Node's agent also honours their Keep-Alive hint). */
const agent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });

/** The answer to a JSON POST: status, headers (lower-case names) and the parsed body. */
export interface JsonResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
}

/** A request that took longer than its timeout (its name is what callers classify). */
export class RequestTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

export interface PostOptions {
  timeoutMs: number;
  /**
   * Whether sending the request twice is harmless (a read). A kept-alive socket the service
   * closed a moment ago (a restart, an idle timeout) fails the next request written to it
   * before the service sees a byte; a read is then sent once more on a new connection. A
   * request that is not safe to repeat (a mutation) never travels on a reused socket, so it
   * cannot meet a stale one, and it is never sent twice.
   */
  repeatable: boolean;
}

/**
 * POSTs `body` (already serialised JSON) to an http:// URL and reads the whole JSON answer.
 * Fails with RequestTimeoutError when the answer is not complete within `timeoutMs` (one
 * deadline for everything), and with the socket's error when the service cannot be reached.
 */
export async function postJson(
  url: URL,
  body: string,
  headers: RequestHeaders,
  options: PostOptions,
): Promise<JsonResponse> {
  const deadline = Date.now() + options.timeoutMs;
  const headersNow = () => (typeof headers === 'function' ? headers() : Promise.resolve(headers));
  if (!options.repeatable)
    return send(url, body, await headersNow(), deadline, options.timeoutMs, 'fresh');
  try {
    return await send(url, body, await headersNow(), deadline, options.timeoutMs, 'pooled');
  } catch (err) {
    if (!(err instanceof StaleSocketError)) throw err;
    // Its siblings in the pool are most likely just as dead (the service restarted).
    for (const socket of agent.freeSockets[agent.getName({ host: url.hostname, port: url.port })] ??
      [])
      socket.destroy();
    // Asked again for its headers: an internal token is good for one request only.
    return send(url, body, await headersNow(), deadline, options.timeoutMs, 'fresh');
  }
}

/** Request headers, or a function that makes them for each attempt (a fresh internal token each). */
export type RequestHeaders = Record<string, string> | (() => Promise<Record<string, string>>);

/** A reused keep-alive socket failed before any answer: the request did not get through. */
class StaleSocketError extends Error {}

function send(
  url: URL,
  body: string,
  headers: Record<string, string>,
  deadline: number,
  timeoutMs: number,
  connection: 'pooled' | 'fresh',
): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      // A fresh connection is closed by us once answered; the service is not asked to close it
      // first (`Connection: close`), which would race its answer with the close.
      agent: connection === 'pooled' ? agent : false,
      headers: {
        ...headers,
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': Buffer.byteLength(body),
        connection: 'keep-alive',
      },
    });
    let answered = false;
    const timer = setTimeout(
      () => req.destroy(new RequestTimeoutError(timeoutMs)),
      Math.max(0, deadline - Date.now()),
    );
    const fail = (err: Error & { code?: string }) => {
      clearTimeout(timer);
      const stale =
        !answered && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      reject(stale ? new StaleSocketError(err.message, { cause: err }) : err);
    };
    req.once('error', fail);
    req.once('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', fail);
      res.once('end', () => {
        clearTimeout(timer);
        let parsed: unknown;
        try {
          parsed = (res.headers['content-type'] ?? '').includes('json')
            ? JSON.parse(Buffer.concat(chunks).toString('utf8'))
            : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.end(body);
  });
}
