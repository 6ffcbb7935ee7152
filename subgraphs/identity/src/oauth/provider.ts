import { createHmac } from 'node:crypto';
import Provider, { interactionPolicy, errors, type AdapterPayload } from 'oidc-provider';
import { apiResource, type Logger } from '@yuejuan/runtime';
import type { ApplicationDoc } from '../models/index.ts';
import type { ApplicationService } from '../services/application.service.ts';
import type { OAuthStore } from './adapter.ts';
import type { SigningJwk } from './keys.ts';
import { errorPage } from './pages.ts';

export interface OAuthSettings {
  /** The public issuer: the gateway's address plus `/oauth`. */
  issuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  grantTtlSeconds: number;
  /** Signs the provider's cookies (derived from YUEJUAN_INTERNAL_SECRET). */
  cookieKey: string;
  keys: SigningJwk[];
}

export interface ProviderDeps {
  store: OAuthStore;
  applications: ApplicationService;
  lawyerExists: (id: string) => Promise<boolean>;
  logger: Logger;
}

/**
 * oidc-provider's view of an application: law-firm systems use the authorization code flow
 * (PKCE always, refresh tokens), procuratorate systems client credentials; both authenticate
 * with HTTP Basic. A suspended application is unknown to the provider (no new tokens). The
 * `client_secret` given here is a placeholder nobody knows: the real check is
 * `compareClientSecret` against the stored digests (symmetric algorithms are not enabled, so
 * the placeholder is never a key).
 *
 * One exception: a law-firm application whose only redirect URI is the gateway's explorer
 * callback (`explorerRedirectUri`) is a public client (`none`: no secret, PKCE only), so the
 * explorer, a page that can keep no secret, signs in with it. The code can only reach that
 * page of the gateway's own origin, and only the browser holding the PKCE verifier redeems it.
 */
export function clientMetadata(
  app: ApplicationDoc,
  placeholderKey: string,
  explorerRedirect?: string,
): AdapterPayload | undefined {
  if (app.status !== 'ACTIVE') return undefined;
  const base = {
    client_id: app._id,
    client_secret: createHmac('sha256', placeholderKey).update(app._id).digest('base64url'),
    client_name: app.name,
    token_endpoint_auth_method: 'client_secret_basic' as const,
    id_token_signed_response_alg: 'RS256' as const,
  };
  const explorerOnly =
    explorerRedirect !== undefined &&
    app.redirectUris.length > 0 &&
    app.redirectUris.every((u) => u === explorerRedirect);
  if (app.kind === 'LAW_FIRM' && explorerOnly) {
    const { client_secret: _none, ...publicBase } = base;
    return {
      ...publicBase,
      token_endpoint_auth_method: 'none',
      redirect_uris: app.redirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid offline_access',
    };
  }
  return app.kind === 'LAW_FIRM'
    ? {
        ...base,
        redirect_uris: app.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // OpenID Connect's own; the API scopes are the resource server's (getResourceServerInfo).
        scope: 'openid offline_access',
      }
    : {
        ...base,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
      };
}

/** The explorer's redirect URI for an issuer: the gateway's `/explorer/callback` beside `/oauth`. */
export const explorerRedirectUri = (issuer: string): string =>
  new URL('../explorer/callback', `${issuer.replace(/\/+$/, '')}/`).href;

/**
 * The OAuth 2 / OpenID Connect provider (oidc-provider) for integrators. Access tokens are JWTs
 * (RS256, `typ: at+jwt`, audience `urn:yuejuan:api`) the gateway verifies with the published
 * keys; each carries its grant id (`gid`) so the gateway can ask whether the grant still lives.
 * Every authorization goes through the portal's consent page: the consent prompt is requested
 * until the portal's confirmation comes back as the interaction's result.
 */
export function createProvider(settings: OAuthSettings, deps: ProviderDeps): Provider {
  const { Check, base } = interactionPolicy;
  const policy = base();
  policy
    .get('consent')!
    .checks.add(
      new Check('portal_consent', '律师须在门户确认授权', (ctx) =>
        ctx.oidc.result?.consent ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT,
      ),
    );
  const mountPath = new URL(settings.issuer).pathname;
  const provider = new Provider(settings.issuer, {
    adapter: (name: string) => deps.store.adapterFor(name),
    jwks: { keys: settings.keys as never },
    cookies: { keys: [settings.cookieKey], long: { signed: true }, short: { signed: true } },
    // `none` only for explorer-only applications (clientMetadata): every other client uses Basic.
    clientAuthMethods: ['client_secret_basic', 'none'],
    // A browser's requests to the token and revocation endpoints carry an Origin: only the
    // gateway's own pages (the explorer, same origin as the issuer) may make them.
    clientBasedCORS: (_ctx, origin) => origin === new URL(settings.issuer).origin,
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access'],
    claims: { openid: ['sub'] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? apiResource,
        useGrantedResource: async () => true,
        // The API's scopes an application may get are those registered for it, read now.
        getResourceServerInfo: async (_ctx, resource, client) => {
          if (resource !== apiResource) throw new errors.InvalidTarget();
          const app = await deps.applications.find(client.clientId);
          return {
            scope: (app?.scopes ?? []).join(' '),
            audience: apiResource,
            accessTokenTTL: settings.accessTokenTtlSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: async (_ctx, token) =>
      'grantId' in token && token.grantId ? { gid: token.grantId } : undefined,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: settings.accessTokenTtlSeconds,
      ClientCredentials: settings.accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: settings.accessTokenTtlSeconds,
      RefreshToken: settings.refreshTokenTtlSeconds,
      Grant: settings.grantTtlSeconds,
      Interaction: 600,
      Session: 600,
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `${mountPath}/interaction/${interaction.uid}`,
    },
    findAccount: async (_ctx, sub) =>
      (await deps.lawyerExists(sub)) ? { accountId: sub, claims: () => ({ sub }) } : undefined,
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(String(out.error ?? 'error'), String(out.error_description ?? ''));
    },
  });
  provider.proxy = true;
  // Secrets are stored as digests: oidc-provider's documented hook for hashed client secrets.
  (
    provider.Client.prototype as unknown as {
      compareClientSecret: (this: { clientId: string }, actual: string) => Promise<boolean>;
    }
  ).compareClientSecret = async function compare(actual) {
    const app = await deps.applications.find(this.clientId);
    return !!app && app.status === 'ACTIVE' && deps.applications.secretMatches(app, actual);
  };
  provider.on('server_error', (_ctx, err) => deps.logger.error({ err }, 'oauth server error'));
  return provider;
}
