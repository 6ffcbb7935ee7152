import { createHmac } from 'node:crypto';
import type { Connection } from 'mongoose';
import {
  AppError,
  requireRole,
  requireStepUp,
  type EventBus,
  type Identity,
} from '@yuejuan/runtime';
import type { DeviceDoc } from '../models/index.ts';
import type { ClientInfo } from './client.ts';
import { identityCollections, identityModels } from '../models/index.ts';
import { createActivationService } from './activation.service.ts';
import { createApplicationService } from './application.service.ts';
import { createApplicationOperationService } from './application-operations.service.ts';
import { createAuditService } from './audit.service.ts';
import { createChallengeService } from './challenge.service.ts';
import { createDeviceService } from './device.service.ts';
import type { FaceProvider } from './face-provider.ts';
import { createProfileService } from './lawyer.service.ts';
import { createLockout } from './lockout.ts';
import { createLoginService } from './login.service.ts';
import { createPasswordHasher } from './password.ts';
import { defaultPolicy, type IdentityPolicy } from './policy.ts';
import { createRegistryService } from './registry.service.ts';
import {
  createSessionService,
  sessionsEndedTopic,
  type SessionSettings,
} from './session.service.ts';
import { createSmsCodeService } from './sms-code.service.ts';
import type { SmsSender } from './sms-sender.ts';
import { createStaffLoginService } from './staff-login.service.ts';
import { createTicketService } from './ticket.service.ts';

export interface IdentitySettings extends SessionSettings {
  idHashKey: string;
  /** Lifetimes and limits; the defaults of config.ts when absent (the import CLI). */
  policy?: IdentityPolicy;
  /** How long a replaced client secret keeps working (OAUTH_SECRET_OVERLAP_SECONDS; default a day). */
  oauthSecretOverlapSeconds?: number;
  /** NODE_ENV=production (applications' registered-operations default). */
  production?: boolean;
}

/** The outside world of the identity services; absent ones refuse to be used (the import CLI needs none). */
export interface IdentityDependencies {
  bus?: EventBus;
  sms?: SmsSender;
  face?: FaceProvider;
  /** The clock (tests move it). */
  now?: () => Date;
}

const missing = (what: string) => (): never => {
  throw new AppError('SERVICE_UNAVAILABLE', '服务暂不可用，请稍后再试。', {
    reason: `no ${what} configured`,
  });
};

/** The identity subgraph's services over its own connection (also used by the import CLI and tests). */
export function createIdentityServices(
  connection: Connection,
  settings: IdentitySettings,
  deps: IdentityDependencies = {},
) {
  const models = identityModels(connection);
  const collections = identityCollections(connection);
  const policy = settings.policy ?? defaultPolicy;
  const now = deps.now ?? (() => new Date());
  const bus = deps.bus ? () => deps.bus! : missing('event bus');
  const sms = deps.sms ? () => deps.sms! : missing('SMS sender');
  const face = deps.face ? () => deps.face! : missing('face provider');

  const sessionsEnded = async (sessionIds: string[]) => {
    await deps.bus?.publish(sessionsEndedTopic, { sessionIds });
  };
  const sessions = createSessionService(
    models,
    collections,
    {
      ...settings,
      maxLifetimeSeconds: policy.sessionMaxLifetimeSeconds,
      stepUpFreshSeconds: policy.stepUpFreshSeconds,
    },
    sessionsEnded,
  );
  const audit = createAuditService(models, now);
  const devices = createDeviceService(models, collections, policy);
  const smsCodes = createSmsCodeService(
    collections.smsCodes,
    collections.slots,
    settings.idHashKey,
    policy.sms,
    sms,
  );
  const lockout = createLockout(collections.slots, policy.password);
  const passwords = createPasswordHasher(policy.password.hashing);
  const applications = createApplicationService(
    models,
    audit,
    {
      // A key of its own, derived from the ID-number key: one secret to keep, two uses apart.
      secretKey: createHmac('sha256', settings.idHashKey)
        .update('oauth-client-secret')
        .digest('hex'),
      overlapSeconds: settings.oauthSecretOverlapSeconds ?? 86400,
    },
    now,
  );
  const shared = { models, collections, policy, sessions, audit, now, passwords };
  return {
    models,
    collections,
    policy,
    now,
    passwords,
    registry: createRegistryService(models, settings.idHashKey, passwords),
    sessions,
    audit,
    applications,
    applicationOperations: createApplicationOperationService(
      models,
      audit,
      { production: settings.production ?? false },
      now,
    ),
    devices,
    smsCodes,
    profile: createProfileService(models, now),
    activation: createActivationService({
      models,
      collections,
      policy,
      idHashKey: settings.idHashKey,
      smsCodes,
      audit,
      face,
    }),
    tickets: createTicketService({ ...shared, devices, bus }),
    challenges: createChallengeService({ ...shared, devices, bus }),
    logins: createLoginService({ ...shared, smsCodes, lockout }),

    /** Sessions ending before their time, for the gateway only (it closes their sockets at once). */
    sessionsEnded(
      identity: Identity,
    ): AsyncIterableIterator<import('@yuejuan/runtime').DomainEvent> {
      if (identity.role !== 'SERVICE') throw new AppError('FORBIDDEN');
      return bus().listen([sessionsEndedTopic]);
    },
    staff: createStaffLoginService({ ...shared, smsCodes, lockout }),

    /**
     * A lawyer revokes one of their own devices: the sessions it confirmed end at once. Only an
     * identity-verified session (a scan login, or a MANAGE_DEVICES step-up): a session opened
     * with a phone code alone must not cut the lawyer off from their verifier.
     */
    async revokeDevice(
      identity: Identity,
      deviceId: string,
      client: ClientInfo,
    ): Promise<DeviceDoc> {
      const lawyer = requireRole(identity, 'LAWYER');
      await requireStepUp(identity, 'MANAGE_DEVICES', collections.stepUps);
      const at = now();
      const { device, changed } = await devices.markRevoked(lawyer.lawyerId, deviceId, at);
      if (changed) {
        await sessions.revokeByDevice(device._id, at);
        await audit.record({
          kind: 'DEVICE_REVOKED',
          actorId: lawyer.lawyerId,
          actorRole: 'LAWYER',
          ip: client.ip,
          detail: `device ${device._id} (${device.name})`,
        });
      }
      return device;
    },

    /** Removes documents no limit or step needs any more (there are no TTL indexes on FerretDB). */
    async sweep(at = now()): Promise<void> {
      const old = { expiresAt: { $lt: at } };
      await Promise.all([
        collections.slots.deleteMany(old),
        collections.claims.deleteMany(old),
        collections.smsCodes.deleteMany(old),
      ]);
      const dayAgo = new Date(at.getTime() - 86_400_000);
      await Promise.all([
        models.LoginTicket.deleteMany({ expiresAt: { $lt: dayAgo } }).exec(),
        models.Challenge.deleteMany({ expiresAt: { $lt: dayAgo } }).exec(),
        models.Activation.deleteMany({ expiresAt: { $lt: dayAgo } }).exec(),
      ]);
    },
  };
}
export type IdentityServices = ReturnType<typeof createIdentityServices>;
export * from './validation.ts';
export {
  hashIdNumber,
  type RegistryLawyerInput,
  type ProsecutorInput,
  type AdministratorInput,
} from './registry.service.ts';
export { tokenDigest, type NewSession } from './session.service.ts';
export type { ApplicationInput } from './application.service.ts';
export { nextStep } from './lawyer.service.ts';
export {
  createPasswordHasher,
  defaultPasswordHashing,
  type PasswordHasher,
  type PasswordHashing,
} from './password.ts';
export { policyFromConfig, defaultPolicy, type IdentityPolicy } from './policy.ts';
export type { SmsSender, SmsRequest } from './sms-sender.ts';
export type { FaceProvider, FaceCheck, FaceResult } from './face-provider.ts';
export { faceSignature } from './face-provider.ts';
