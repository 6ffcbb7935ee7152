import { createHmac } from 'node:crypto';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import type Provider from 'oidc-provider';
import { AppError, type Logger } from '@yuejuan/runtime';
import type { IdentityConfig } from '../config.ts';
import type { IdentityServices } from '../services/index.ts';
import { createOAuthStore } from './adapter.ts';
import { createAuthorizationService, type ApprovalDoc } from './authorizations.ts';
import { signingKeys } from './keys.ts';
import { clientMetadata, createProvider, explorerRedirectUri } from './provider.ts';
import { mountOAuthRoutes } from './routes.ts';

const derive = (secret: string, purpose: string) =>
  createHmac('sha256', secret).update(purpose).digest('base64url');

/**
 * OAuth 2 / OpenID Connect for integrators in the identity subgraph: oidc-provider on our
 * MongoDB, the consent and grant services, and the `/oauth` routes. The provider is made at
 * start (its signing keys may come from the database).
 */
export function createOAuth(options: {
  config: IdentityConfig;
  connection: Connection;
  services: IdentityServices;
  logger: Logger;
}) {
  const { config, services } = options;
  const db = options.connection.getClient().db(options.connection.name);
  const placeholderKey = derive(config.YUEJUAN_INTERNAL_SECRET, 'oauth-client-placeholder');
  let provider: Provider | undefined;
  const current = (): Provider => {
    if (!provider) throw new AppError('SERVICE_UNAVAILABLE');
    return provider;
  };
  const approvals = db.collection<ApprovalDoc>('oauth_approvals');
  const store = createOAuthStore(db, {
    now: services.now,
    clientMetadata: (app) =>
      clientMetadata(app, placeholderKey, explorerRedirectUri(config.OAUTH_ISSUER)),
    findApplication: (id) => services.applications.find(id),
    onGrantRevoked: (grant) => authorizations.grantEnded(grant),
  });
  const authorizations = createAuthorizationService({
    provider: current,
    store,
    applications: services.applications,
    audit: services.audit,
    stepUps: services.collections.stepUps,
    claims: db.collection('claims'),
    approvals,
    issuer: config.OAUTH_ISSUER,
    now: services.now,
  });
  return {
    store,
    authorizations,
    provider: current,
    async start(): Promise<void> {
      provider = createProvider(
        {
          issuer: config.OAUTH_ISSUER,
          accessTokenTtlSeconds: config.OAUTH_ACCESS_TOKEN_TTL_SECONDS,
          refreshTokenTtlSeconds: config.OAUTH_REFRESH_TOKEN_TTL_SECONDS,
          grantTtlSeconds: config.OAUTH_GRANT_TTL_SECONDS,
          cookieKey: derive(config.YUEJUAN_INTERNAL_SECRET, 'oauth-cookies'),
          keys: await signingKeys(db, config.OAUTH_JWKS),
        },
        {
          store,
          applications: services.applications,
          lawyerExists: async (id) => !!(await services.models.Lawyer.exists({ _id: id }).exec()),
          logger: options.logger,
        },
      );
      await store.ensureIndexes();
    },
    mount(app: Express): void {
      mountOAuthRoutes(app, {
        provider: current,
        authorizations,
        issuer: config.OAUTH_ISSUER,
        consentUrl: config.OAUTH_CONSENT_URL,
        logger: options.logger,
      });
    },
    async sweep(at: Date): Promise<void> {
      await store.sweep(at);
      await approvals.deleteMany({ expiresAt: { $lt: at } });
    },
  };
}
export type OAuth = ReturnType<typeof createOAuth>;
