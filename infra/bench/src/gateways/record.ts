import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import type { SubgraphName } from '@yuejuan/schema';
import { startGateway, writeSupergraph, type GatewayOptions } from './targets.ts';
import type { ForwardedIdentity } from './forward.ts';

/** One subgraph request a gateway made for a client request. */
export interface RecordedRequest {
  subgraph: SubgraphName;
  url: string;
  /** Audience and identity of the token it carried (the replay mints a fresh one alike). */
  audience: string;
  identity: ForwardedIdentity;
  body: string;
  startedAt: number;
  endedAt: number;
}

/**
 * Records the subgraph requests our gateway makes for one client request: a throw-away
 * gateway process is pointed at recording proxies in front of the real subgraphs.
 */
export async function recordSubgraphRequests(
  o: GatewayOptions,
  clientRequest: { body: string; token: string },
): Promise<RecordedRequest[]> {
  const recorded: RecordedRequest[] = [];
  let recording = false;
  const proxies = await Promise.all(
    (Object.entries(o.urls) as [SubgraphName, string][]).map(([name, target]) =>
      proxy(name, target, (r) => {
        if (recording) recorded.push(r);
      }),
    ),
  );
  const proxyUrls = Object.fromEntries(proxies.map((p) => [p.name, p.url])) as Record<
    SubgraphName,
    string
  >;
  const supergraphPath = writeSupergraph(o.logDir, proxyUrls, 'supergraph-recorder.graphql');
  const gw = await startGateway('ours', { ...o, urls: proxyUrls, supergraphPath }, 'ours-recorder');
  try {
    const send = () =>
      fetch(gw.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${clientRequest.token}`,
        },
        body: clientRequest.body,
      }).then((r) => r.text());
    await send(); // warm: the first request also plans the query
    recording = true;
    await send();
    recording = false;
  } finally {
    await gw.process.stop();
    for (const p of proxies) p.server.close();
  }
  return recorded;
}

function proxy(
  name: SubgraphName,
  target: string,
  record: (r: RecordedRequest) => void,
): Promise<{ name: SubgraphName; url: string; server: http.Server }> {
  const targetUrl = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const startedAt = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', targetUrl).toString();
      const token = String(req.headers['x-internal-token'] ?? '');
      const upstream = await fetch(url, {
        method: req.method,
        headers: { 'content-type': 'application/json', 'x-internal-token': token },
        body: req.method === 'POST' ? body : undefined,
      }).catch(() => null);
      const text = upstream ? await upstream.text() : '';
      const claims = token ? decodeJwt(token) : {};
      record({
        subgraph: name,
        url,
        audience: String(claims.aud ?? name),
        identity: (claims.idn as ForwardedIdentity) ?? { role: 'ANONYMOUS' },
        body,
        startedAt,
        endedAt: performance.now(),
      });
      res.writeHead(upstream?.status ?? 502, {
        'content-type': upstream?.headers.get('content-type') ?? 'application/json',
      });
      res.end(text);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        name,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${targetUrl.pathname}`,
        server,
      }),
    ),
  );
}

/**
 * Groups recorded requests into stages: a request that started before every request of the
 * current stage had finished ran in parallel with them (the query plan's Parallel node).
 */
export function toStages(requests: RecordedRequest[]): RecordedRequest[][] {
  const stages: RecordedRequest[][] = [];
  let firstEnd = -Infinity;
  for (const r of [...requests].sort((a, b) => a.startedAt - b.startedAt)) {
    const current = stages.at(-1);
    if (current && r.startedAt < firstEnd) {
      current.push(r);
      firstEnd = Math.min(firstEnd, r.endedAt);
    } else {
      stages.push([r]);
      firstEnd = r.endedAt;
    }
  }
  return stages;
}
