// The transport of the example SDK: GraphQL over HTTP to the gateway with a bearer access token,
// and OAuth 2 token requests to its `/oauth/token`. Operations are TypedDocumentNodes generated
// from the contract (src/generated/graphql.ts), so each call's variables and result are typed.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';

/** Where the platform is: the gateway's origin, e.g. https://yuejuan.example.gov.cn. */
export interface Endpoint {
  baseUrl: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof fetch;
}

/**
 * An error the platform answered: its stable `code` (GRAPHQL_VALIDATION_FAILED,
 * INSUFFICIENT_SCOPE, INVALID_TOKEN, RATE_LIMITED, FORBIDDEN, CONFLICT, …) and Chinese message.
 */
export class YuejuanError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'YuejuanError';
  }
}

const printed = new WeakMap<DocumentNode, string>();
const textOf = (document: DocumentNode) => {
  let text = printed.get(document);
  if (!text) printed.set(document, (text = print(document)));
  return text;
};

type GraphQLAnswer<R> = {
  data?: R | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

/** Runs one operation with `accessToken`; throws YuejuanError with the first error's code. */
export async function execute<R, V>(
  endpoint: Endpoint,
  accessToken: string,
  document: TypedDocumentNode<R, V>,
  variables: V,
): Promise<R> {
  const res = await (endpoint.fetch ?? fetch)(new URL('/graphql', endpoint.baseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${accessToken}`,
    },
    body: JSON.stringify({ query: textOf(document), variables }),
  });
  const answer = (await res.json().catch(() => ({}))) as GraphQLAnswer<R>;
  const first = answer.errors?.[0];
  if (first) {
    const { code, ...details } = first.extensions ?? {};
    throw new YuejuanError(
      String(code ?? 'INTERNAL_SERVER_ERROR'),
      first.message,
      res.status,
      details,
    );
  }
  if (!res.ok || !answer.data)
    throw new YuejuanError('HTTP_ERROR', `HTTP ${res.status}`, res.status);
  return answer.data;
}

/** An access token (and, for the authorization code flow, its refresh token). */
export interface Tokens {
  accessToken: string;
  /** When the access token stops working (epoch milliseconds). */
  expiresAt: number;
  refreshToken?: string;
  /** The scopes granted, space-separated. */
  scope: string;
}

/** A registered application's credentials (shown once in the console when it is registered). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** POSTs to `/oauth/token` with HTTP Basic client authentication (RFC 6749 §2.3.1). */
export async function tokenRequest(
  endpoint: Endpoint,
  client: ClientCredentials,
  params: Record<string, string>,
): Promise<Tokens> {
  const basic = Buffer.from(
    `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`,
  ).toString('base64');
  const res = await (endpoint.fetch ?? fetch)(new URL('/oauth/token', endpoint.baseUrl), {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof body.access_token !== 'string')
    throw new YuejuanError(
      String(body.error ?? 'HTTP_ERROR'),
      String(body.error_description ?? `令牌请求失败（HTTP ${res.status}）。`),
      res.status,
    );
  return {
    accessToken: body.access_token,
    expiresAt: Date.now() + Number(body.expires_in ?? 0) * 1000,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
    scope: typeof body.scope === 'string' ? body.scope : '',
  };
}

/** Renews a token this long before it expires. */
export const renewBeforeMs = 30_000;
