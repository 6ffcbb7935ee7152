// A tiny law-firm case-management system (律所管理系统) as an integrator would write it: a node
// http server that sends the lawyer's browser to the authorization endpoint (code + PKCE +
// state), takes the code back on its redirect URI, exchanges it with its client secret, and
// reads the GraphQL API with the access token. Its pages show what it could read, and the error
// codes of what it could not.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SampleApp {
  url: string;
  redirectUri: string;
  /** Sets the credentials the console issued. */
  register(client: { clientId: string; clientSecret: string }): void;
  /** What the app reads now with its access token: the lawyer's profile. */
  read(): Promise<{ status: number; body: SampleRead }>;
  /** What the app reads now of the lawyer's bound cases. */
  readBound(): Promise<{ status: number; body: SampleRead }>;
  close(): Promise<void>;
}

export interface SampleRead {
  data?: { viewer?: { lawyer?: { name?: string; boundCases?: unknown } } | null } | null;
  errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[];
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Starts the sample app on loopback; `gateway` is where the API and `/oauth` are. */
export async function startSampleApp(gateway: string, scope: string): Promise<SampleApp> {
  let client: { clientId: string; clientSecret: string } | undefined;
  const pending = new Map<string, string>();
  let accessToken: string | undefined;

  const ask = async (query: string) => {
    const res = await fetch(`${gateway}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${accessToken ?? ''}`,
        'apollographql-client-name': 'sample-law-firm-app',
      },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, body: (await res.json()) as SampleRead };
  };
  // Two operations: a refused field that is not nullable would null its parent (the lawyer).
  const read = () => ask('{ viewer { lawyer { name licenceNumber lawFirm } } }');
  const readBound = () => ask('{ viewer { lawyer { boundCases { totalCount } } } }');

  const page = (body: string) =>
    `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>明理律所案件管理系统</title></head><body><main><h1>明理律所案件管理系统</h1>${body}</main></body></html>`;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, html: string) =>
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(page(html));
    try {
      if (url.pathname === '/')
        return send(200, '<p><a href="/login">使用12309中国检察网账号授权</a></p>');
      if (url.pathname === '/login') {
        const state = randomBytes(16).toString('base64url');
        const verifier = randomBytes(32).toString('base64url');
        pending.set(state, verifier);
        const auth = new URL(`${gateway}/oauth/auth`);
        auth.search = new URLSearchParams({
          client_id: client!.clientId,
          response_type: 'code',
          redirect_uri: `${base}/callback`,
          scope,
          state,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        }).toString();
        res.writeHead(302, { location: auth.href }).end();
        return;
      }
      if (url.pathname === '/callback') {
        const verifier = pending.get(url.searchParams.get('state') ?? '');
        if (!verifier) return send(400, '<p id="result">state 无效</p>');
        pending.delete(url.searchParams.get('state')!);
        if (url.searchParams.get('error'))
          return send(
            200,
            `<p id="result">授权未完成：${escape(url.searchParams.get('error')!)}</p>`,
          );
        const token = await fetch(`${gateway}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${client!.clientId}:${client!.clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code: url.searchParams.get('code') ?? '',
            redirect_uri: `${base}/callback`,
            code_verifier: verifier,
          }).toString(),
        });
        const tokens = (await token.json()) as { access_token?: string; error?: string };
        if (!tokens.access_token)
          return send(502, `<p id="result">换取令牌失败：${escape(tokens.error ?? '')}</p>`);
        accessToken = tokens.access_token;
        const { body } = await read();
        const lawyer = body.data?.viewer?.lawyer;
        const bound = await readBound();
        const refused = [...(body.errors ?? []), ...(bound.body.errors ?? [])].map(
          (e) => `${(e.path ?? []).join('.')}: ${e.extensions?.code}`,
        );
        return send(
          200,
          `<p id="result">已授权：${escape(lawyer?.name ?? '')} 律师</p><ul id="refused">${refused.map((r) => `<li>${escape(r)}</li>`).join('')}</ul>`,
        );
      }
      send(404, '<p>未找到</p>');
    } catch (err) {
      send(500, `<p id="result">${escape(String(err))}</p>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    redirectUri: `${base}/callback`,
    register: (c) => void (client = c),
    read,
    readBound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
