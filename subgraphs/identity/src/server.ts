import express from 'express';
import type { Connection } from 'mongoose';
import {
  createSubgraphService,
  internalTokenHeader,
  verifyInternalToken,
  type EventBus,
  type Identity,
  type Logger,
} from '@yuejuan/runtime';
import { loadSubgraphSdl } from '@yuejuan/schema';
import type { IdentityConfig } from './config.ts';
import { createLoaders } from './context.ts';
import { createResolvers } from './resolvers/index.ts';
import {
  createDemoFaceProvider,
  createHttpFaceProvider,
  type FaceProvider,
} from './services/face-provider.ts';
import { createIdentityServices } from './services/index.ts';
import { policyFromConfig } from './services/policy.ts';
import { createHttpSmsSender, type SmsSender } from './services/sms-sender.ts';
import { createOAuth } from './oauth/index.ts';
import { mountWebhookAccessRoutes } from './oauth/webhook-access.ts';

export interface IdentityDeps {
  config: IdentityConfig;
  connection: Connection;
  logger: Logger;
  /** The domain event bus (publish state changes; subscriptions listen to it). */
  bus: EventBus;
  /** The SMS channel (default: notifications' `POST /internal/sms` at NOTIFICATIONS_INTERNAL_URL). */
  sms?: SmsSender;
  /** The face check (default: as FACE_PROVIDER configures). */
  face?: FaceProvider;
  /** The clock (tests move it). */
  now?: () => Date;
}

/** The face provider FACE_PROVIDER names (the config refuses `demo` in production). */
export function faceProviderFor(config: IdentityConfig): FaceProvider {
  if (config.FACE_PROVIDER === 'demo') return createDemoFaceProvider();
  return createHttpFaceProvider({
    endpoint: config.FACE_HTTP_ENDPOINT!,
    appId: config.FACE_HTTP_APP_ID!,
    secret: config.FACE_HTTP_SECRET!,
    timeoutMs: config.FACE_HTTP_TIMEOUT_MS,
  });
}

/** Internal routes answer only other services (the gateway resolves sessions with an ANONYMOUS or SERVICE token). */
async function internalCaller(
  secret: string,
  header: string | undefined,
  allowed: Identity['role'][],
): Promise<number | null> {
  try {
    const identity = await verifyInternalToken(secret, 'identity', header);
    return allowed.includes(identity.role) ? null : 403;
  } catch {
    return 401;
  }
}

/** The identity subgraph: no side effects until start(). */
export function createServer({ config, connection, logger, bus, sms, face, now }: IdentityDeps) {
  const services = createIdentityServices(
    connection,
    {
      idHashKey: config.YUEJUAN_ID_HASH_KEY,
      ttlSeconds: config.SESSION_TTL_SECONDS,
      verifiedWindowSeconds: config.SCAN_VERIFIED_WINDOW_SECONDS,
      policy: policyFromConfig(config),
      oauthSecretOverlapSeconds: config.OAUTH_SECRET_OVERLAP_SECONDS,
      production: config.NODE_ENV === 'production',
    },
    {
      bus,
      now,
      sms:
        sms ??
        createHttpSmsSender({
          baseUrl: config.NOTIFICATIONS_INTERNAL_URL,
          secret: config.YUEJUAN_INTERNAL_SECRET,
        }),
      face: face ?? faceProviderFor(config),
    },
  );
  const secret = config.YUEJUAN_INTERNAL_SECRET;
  const oauth = createOAuth({ config, connection, services, logger });
  const service = createSubgraphService({
    name: 'identity',
    sdl: loadSubgraphSdl('identity'),
    resolvers: createResolvers(services, oauth.authorizations),
    createLoaders: (header) => createLoaders(services.models, header),
    connection,
    logger,
    config,
    routes: (app) => {
      // The gateway turns a caller's bearer token into an identity here, on every request, so a
      // revoked session is refused at once. Only the gateway (its signed token) may ask.
      app.post('/internal/sessions/resolve', express.json({ limit: '2kb' }), async (req, res) => {
        const refused = await internalCaller(secret, req.header(internalTokenHeader), [
          'ANONYMOUS',
          'SERVICE',
        ]);
        if (refused) {
          res.status(refused).json({ error: refused === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN' });
          return;
        }
        const token = typeof req.body?.token === 'string' ? req.body.token : '';
        res.json({ identity: await services.sessions.resolve(token, services.now()) });
      });

      // The gateway's per-request check of an OAuth access token it verified: is the
      // application active and the lawyer's grant alive, and which scopes hold now.
      app.post('/internal/oauth/check', express.json({ limit: '2kb' }), async (req, res) => {
        const refused = await internalCaller(secret, req.header(internalTokenHeader), [
          'ANONYMOUS',
          'SERVICE',
        ]);
        if (refused) {
          res.status(refused).json({ error: refused === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN' });
          return;
        }
        const { clientId, sub, grantId } = (req.body ?? {}) as Record<string, unknown>;
        const plain = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 100;
        if (!plain(clientId) || !plain(sub) || (grantId !== undefined && !plain(grantId))) {
          res.status(400).json({ code: 'BAD_USER_INPUT', message: 'clientId、sub 无效。' });
          return;
        }
        res.json(
          await oauth.authorizations.check({
            clientId: clientId as string,
            sub: sub as string,
            grantId: grantId as string | undefined,
          }),
        );
      });

      // The gateway's read of an application's registered operations, when the token check
      // reported a revision it has not cached (application-operations.service.ts).
      app.post('/internal/oauth/operations', express.json({ limit: '2kb' }), async (req, res) => {
        const refused = await internalCaller(secret, req.header(internalTokenHeader), [
          'ANONYMOUS',
          'SERVICE',
        ]);
        if (refused) {
          res.status(refused).json({ error: refused === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN' });
          return;
        }
        const clientId: unknown = req.body?.clientId;
        if (typeof clientId !== 'string' || !clientId || clientId.length > 100) {
          res.status(400).json({ code: 'BAD_USER_INPUT', message: 'clientId 无效。' });
          return;
        }
        const found = await services.applicationOperations.forGateway(clientId);
        if (!found) res.status(404).json({ code: 'NOT_FOUND', message: '接入应用不存在。' });
        else res.json(found);
      });

      // OAuth 2 / OpenID Connect under /oauth (the gateway forwards it here).
      oauth.mount(app);

      // What notifications' webhooks may deliver: applications and lawyers' grants (ADR 0011).
      mountWebhookAccessRoutes(app, {
        secret,
        applications: services.applications,
        store: oauth.store,
        now: services.now,
      });

      // Names and phones for other subgraphs' messages (SMS to a lawyer or prosecutor).
      app.post('/internal/contacts', express.json({ limit: '64kb' }), async (req, res) => {
        const refused = await internalCaller(secret, req.header(internalTokenHeader), ['SERVICE']);
        if (refused) {
          res.status(refused).json({ error: refused === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN' });
          return;
        }
        const ids: unknown = req.body?.ids;
        if (
          !Array.isArray(ids) ||
          ids.length > 500 ||
          !ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 64)
        ) {
          res.status(400).json({ code: 'BAD_USER_INPUT', message: 'ids 应为至多500个字符串。' });
          return;
        }
        res.json({ contacts: await services.registry.contacts([...new Set(ids as string[])]) });
      });

      // The prosecutors of a procuratorate, for notifications of new applications in its queue.
      app.post(
        '/internal/contacts/by-procuratorate',
        express.json({ limit: '2kb' }),
        async (req, res) => {
          const refused = await internalCaller(secret, req.header(internalTokenHeader), [
            'SERVICE',
          ]);
          if (refused) {
            res.status(refused).json({ error: refused === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN' });
            return;
          }
          const procuratorateId: unknown = req.body?.procuratorateId;
          if (
            typeof procuratorateId !== 'string' ||
            !/^[A-Za-z0-9-]{2,40}$/.test(procuratorateId)
          ) {
            res.status(400).json({ code: 'BAD_USER_INPUT', message: 'procuratorateId 无效。' });
            return;
          }
          res.json({ contacts: await services.registry.prosecutorsOf(procuratorateId) });
        },
      );
    },
  });

  let sweeper: NodeJS.Timeout | undefined;
  return {
    ...service,
    services,
    oauth,
    async start() {
      await oauth.start();
      const url = await service.start();
      // No TTL indexes on FerretDB: expired limit counters, claims, tickets and OAuth artefacts are swept here.
      sweeper = setInterval(
        () =>
          void Promise.all([services.sweep(), oauth.sweep(services.now())]).catch((err) =>
            logger.warn({ err }, 'identity sweep failed'),
          ),
        10 * 60_000,
      );
      sweeper.unref();
      return url;
    },
    async stop() {
      clearInterval(sweeper);
      services.tickets.dispose();
      services.challenges.dispose();
      await service.stop();
    },
  };
}
