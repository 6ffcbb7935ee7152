// What the OAuth tests share: a stack whose identity issuer is the gateway's own address, an
// administrator registering applications through the API, the token endpoint, and a browser
// (a cookie jar following redirects by hand) running the authorization code flow with PKCE.
import { createHash, randomBytes } from 'node:crypto';
import { freePort } from '@yuejuan/database';
import { expect } from 'vitest';
import { gql, ok, startIdentityStack, type Answer, type TestClock } from './identity-fixtures.ts';
import type { Stack } from './stack.ts';

/** The stack with identity's issuer at the gateway's `/oauth` (the gateway's port is picked first). */
export async function startOAuthStack(label: string, clock: TestClock) {
  const port = await freePort();
  const stack = await startIdentityStack(label, clock, {
    gatewayEnv: { PORT: String(port) },
    subgraphEnv: {
      identity: {
        OAUTH_ISSUER: `http://127.0.0.1:${port}/oauth`,
        OAUTH_CONSENT_URL: 'http://127.0.0.1:3399/oauth/consent',
      },
    },
  });
  return { stack, origin: `http://127.0.0.1:${port}` };
}

/** An administrator's session token. */
export async function adminToken(stack: Stack): Promise<string> {
  return (
    await stack.services.identity.sessions.open({
      role: 'ADMINISTRATOR',
      subjectId: 'admin-oauth-test',
      method: 'ADMINISTRATOR',
    })
  ).token;
}

export const registerApplication = /* GraphQL */ `
  mutation Register($input: ApplicationInput!) {
    registerApplication(input: $input) {
      clientSecret
      application {
        id
        status
      }
    }
  }
`;

/** Registers an application through the API as `admin`; answers its client id and secret. */
export async function registerApp(
  stack: Stack,
  admin: string,
  input: Record<string, unknown>,
): Promise<{ clientId: string; clientSecret: string }> {
  const answer = ok(
    await gql(
      stack,
      registerApplication,
      {
        input: {
          organisation: '测试单位',
          rateLimitPerMinute: 600,
          contactName: '联系人',
          contactPhone: '021-12345678',
          ...input,
        },
      },
      { token: admin },
    ),
  );
  const r = answer.data.registerApplication;
  return { clientId: r.application.id, clientSecret: r.clientSecret };
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** POSTs to the token endpoint with HTTP Basic client authentication. */
export async function tokenRequest(
  origin: string,
  client: { clientId: string; clientSecret: string },
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: basic(client.clientId, client.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** A client-credentials access token (expects success). */
export async function clientCredentials(
  origin: string,
  client: { clientId: string; clientSecret: string },
  scope: string,
): Promise<string> {
  const { status, body } = await tokenRequest(origin, client, {
    grant_type: 'client_credentials',
    scope,
  });
  expect(status, JSON.stringify(body)).toBe(200);
  return body.access_token!;
}

/** A browser's cookies for one host, sent back by path as a browser would. */
export class CookieJar {
  private cookies = new Map<string, { value: string; path: string }>();
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const path =
        attrs
          .map((a) => a.trim())
          .find((a) => a.toLowerCase().startsWith('path='))
          ?.slice(5) ?? '/';
      const expired = attrs.some((a) => /^expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired || !value) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
  }
  header(url: URL): string {
    return [...this.cookies]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([n, c]) => `${n}=${c.value}`)
      .join('; ');
  }
  /** GETs `url` with the jar's cookies, without following redirects. */
  async get(url: string): Promise<Response> {
    const u = new URL(url);
    const res = await fetch(u, { redirect: 'manual', headers: { cookie: this.header(u) } });
    this.store(res);
    return res;
  }
}

/** A PKCE verifier and its S256 challenge. */
export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return {
    verifier,
    challenge: createHash('sha256').update(verifier).digest('base64url'),
  };
}

/** Where an authorization request left the browser: the consent page's uid, in the jar's browser. */
export async function startAuthorization(
  origin: string,
  jar: CookieJar,
  request: { clientId: string; redirectUri: string; scope: string; challenge: string },
): Promise<string> {
  const auth = new URL(`${origin}/oauth/auth`);
  auth.search = new URLSearchParams({
    client_id: request.clientId,
    response_type: 'code',
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state: 'state-1234',
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
  }).toString();
  const first = await jar.get(auth.href);
  expect(first.status, await first.clone().text()).toBe(303);
  const interaction = new URL(first.headers.get('location')!, origin);
  expect(interaction.pathname).toMatch(/^\/oauth\/interaction\//);
  const second = await jar.get(interaction.href);
  expect(second.status).toBe(303);
  const consent = new URL(second.headers.get('location')!);
  expect(consent.pathname).toBe('/oauth/consent');
  return consent.searchParams.get('uid')!;
}

export const decideConsent = /* GraphQL */ `
  mutation Decide($uid: ID!, $approve: Boolean!) {
    decideOAuthConsent(uid: $uid, approve: $approve) {
      redirectTo
    }
  }
`;

/** After the lawyer's decision: the browser opens the confirmation and is sent on; answers the redirect to the app. */
export async function finishAuthorization(jar: CookieJar, redirectTo: string): Promise<URL> {
  let res = await jar.get(redirectTo);
  for (let hops = 0; hops < 5 && res.status >= 300 && res.status < 400; hops++) {
    const next = new URL(res.headers.get('location')!, redirectTo);
    if (!next.pathname.startsWith('/oauth')) return next;
    res = await jar.get(next.href);
  }
  throw new Error(`no redirect to the application: ${res.status} ${await res.text()}`);
}

/** The whole authorization code flow for `lawyer` (a session token): answers the token response. */
export async function authorizeAsLawyer(
  origin: string,
  stack: Stack,
  lawyer: string,
  request: { clientId: string; clientSecret: string; redirectUri: string; scope: string },
) {
  const jar = new CookieJar();
  const { verifier, challenge } = pkce();
  const uid = await startAuthorization(origin, jar, { ...request, challenge });
  const decided = ok(await gql(stack, decideConsent, { uid, approve: true }, { token: lawyer }));
  const back = await finishAuthorization(jar, decided.data.decideOAuthConsent.redirectTo);
  expect(back.origin + back.pathname).toBe(request.redirectUri);
  const code = back.searchParams.get('code')!;
  const tokens = await tokenRequest(origin, request, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: request.redirectUri,
    code_verifier: verifier,
  });
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return tokens.body as {
    access_token: string;
    refresh_token: string;
    id_token?: string;
    scope: string;
  };
}

/** The error codes of an answer, in order. */
export const errorCodes = (answer: Answer): unknown[] =>
  (answer.errors ?? []).map((e) => e.extensions?.code);
