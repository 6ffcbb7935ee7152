// 律所管理系统: a law firm's case-management system acting for a lawyer who authorised it on the
// portal (authorization code + PKCE). It reads only what the lawyer granted, never more than
// the lawyer may see; the access token is renewed with the refresh token, which rotates at
// every use (keep the newest: `onTokens`).
import { createHash, randomBytes } from 'node:crypto';
import {
  execute,
  renewBeforeMs,
  tokenRequest,
  type ClientCredentials,
  type Endpoint,
  type Tokens,
} from './client.ts';
import {
  MyBindingApplicationsDocument,
  MyBoundCasesDocument,
  MyProfileDocument,
  type BindingStatus,
} from './generated/graphql.ts';

/** A PKCE verifier (kept by the app) and its S256 challenge (sent in the authorization URL). */
export function createPkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Where to send the lawyer's browser: the portal asks them to consent (授权确认). */
export function authorizationUrl(
  endpoint: Endpoint,
  request: {
    clientId: string;
    redirectUri: string;
    scope: string;
    state: string;
    challenge: string;
  },
): string {
  const url = new URL('/oauth/auth', endpoint.baseUrl);
  url.search = new URLSearchParams({
    client_id: request.clientId,
    response_type: 'code',
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

/** Exchanges the code the redirect brought back for tokens (with the PKCE verifier). */
export const exchangeCode = (
  endpoint: Endpoint,
  client: ClientCredentials,
  code: { code: string; redirectUri: string; verifier: string },
): Promise<Tokens> =>
  tokenRequest(endpoint, client, {
    grant_type: 'authorization_code',
    code: code.code,
    redirect_uri: code.redirectUri,
    code_verifier: code.verifier,
  });

export interface LawFirmAppOptions extends Endpoint, ClientCredentials {
  /** The lawyer's tokens (from exchangeCode, or as last stored). */
  tokens: Tokens;
  /** Called with the new tokens after each refresh: store them (the old refresh token is spent). */
  onTokens?: (tokens: Tokens) => void | Promise<void>;
}

export function lawFirmApp(options: LawFirmAppOptions) {
  let tokens = options.tokens;
  let refreshing: Promise<Tokens> | undefined;
  const accessToken = async () => {
    if (tokens.expiresAt - renewBeforeMs > Date.now() || !tokens.refreshToken)
      return tokens.accessToken;
    // One refresh at a time: a refresh token used twice ends the whole authorisation.
    refreshing ??= tokenRequest(options, options, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refreshToken,
    }).finally(() => (refreshing = undefined));
    tokens = await refreshing;
    await options.onTokens?.(tokens);
    return tokens.accessToken;
  };
  return {
    tokens: () => tokens,
    /** The authorising lawyer (`profile:read`). */
    async profile() {
      return (
        (await execute(options, await accessToken(), MyProfileDocument, {})).viewer?.lawyer ?? null
      );
    },
    /** 已绑定案件, a page at a time (`bindings:read`). */
    async boundCases(page: { first?: number; after?: string } = {}) {
      const data = await execute(options, await accessToken(), MyBoundCasesDocument, page);
      return data.viewer?.lawyer?.boundCases ?? null;
    },
    /** 案件绑定申请, optionally of one status (`bindings:read`). */
    async bindingApplications(
      filter: { status?: BindingStatus; first?: number; after?: string } = {},
    ) {
      const data = await execute(
        options,
        await accessToken(),
        MyBindingApplicationsDocument,
        filter,
      );
      return data.viewer?.lawyer?.bindingApplications ?? null;
    },
  };
}
export type LawFirmApp = ReturnType<typeof lawFirmApp>;
