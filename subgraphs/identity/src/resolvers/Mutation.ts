import { AppError, hasSession, type StepUpPurpose } from '@yuejuan/runtime';
import type { Context } from '../context.ts';
import type { IdentityServices } from '../services/index.ts';
import type {
  CompleteActivationInput,
  StartActivationInput,
} from '../services/activation.service.ts';
import type { SignedInput } from '../services/device.service.ts';
import type { ProfileInput } from '../services/lawyer.service.ts';
import { currentResult, loginResult } from './login-result.ts';
import type { AuthorizationService } from '../oauth/authorizations.ts';
import type { ApplicationInput } from '../services/application.service.ts';

type Ctx = Context;

// Thin handlers: each hands off to a service with the caller's identity and client.
export const Mutation = (s: IdentityServices, authorizations: AuthorizationService) => ({
  registerApplication: (
    _: unknown,
    { input }: { input: ApplicationInput },
    { identity, loaders }: Ctx,
  ) => s.applications.register(identity, input, loaders.client),
  updateApplication: (
    _: unknown,
    a: { id: string; input: ApplicationInput },
    { identity, loaders }: Ctx,
  ) => s.applications.update(identity, a.id, a.input, loaders.client),
  rotateApplicationSecret: (
    _: unknown,
    a: { id: string; overlapSeconds?: number | null },
    { identity, loaders }: Ctx,
  ) => s.applications.rotateSecret(identity, a.id, a.overlapSeconds, loaders.client),
  suspendApplication: (_: unknown, a: { id: string; reason: string }, { identity, loaders }: Ctx) =>
    s.applications.setSuspended(identity, a.id, true, a.reason, loaders.client),
  resumeApplication: (_: unknown, { id }: { id: string }, { identity, loaders }: Ctx) =>
    s.applications.setSuspended(identity, id, false, null, loaders.client),
  registerApplicationOperations: (
    _: unknown,
    a: { id: string; source: string },
    { identity, loaders }: Ctx,
  ) => s.applicationOperations.register(identity, a.id, a.source, loaders.client),
  removeApplicationOperation: (
    _: unknown,
    a: { id: string; hash: string },
    { identity, loaders }: Ctx,
  ) => s.applicationOperations.remove(identity, a.id, a.hash, loaders.client),
  setApplicationOperationsOnly: (
    _: unknown,
    a: { id: string; only: boolean },
    { identity, loaders }: Ctx,
  ) => s.applicationOperations.setOperationsOnly(identity, a.id, a.only, loaders.client),
  decideOAuthConsent: async (
    _: unknown,
    a: { uid: string; approve: boolean },
    { identity }: Ctx,
  ) => ({ redirectTo: await authorizations.decide(identity, a.uid, a.approve) }),
  revokeAppAuthorization: (_: unknown, { id }: { id: string }, { identity, loaders }: Ctx) =>
    authorizations.revoke(identity, id, loaders.client),

  startActivation: (_: unknown, { input }: { input: StartActivationInput }, { loaders }: Ctx) =>
    s.activation.start(input, loaders.client, s.now()),
  submitFaceVerification: (
    _: unknown,
    a: { activationId: string; image: string },
    { loaders }: Ctx,
  ) => s.activation.submitFace(a.activationId, a.image, loaders.client, s.now()),
  requestActivationSmsCode: (
    _: unknown,
    a: { activationId: string; phone: string },
    { loaders }: Ctx,
  ) => s.activation.requestCode(a.activationId, a.phone, loaders.client, s.now()),
  completeActivation: (
    _: unknown,
    { input }: { input: CompleteActivationInput },
    { loaders }: Ctx,
  ) => s.activation.complete(input, loaders.client, s.now()),
  revokeDevice: (_: unknown, { id }: { id: string }, { identity, loaders }: Ctx) =>
    s.revokeDevice(identity, id, loaders.client),

  createLoginTicket: (_: unknown, __: unknown, { loaders }: Ctx) =>
    s.tickets.create(loaders.client),
  scanLoginTicket: (_: unknown, { input }: { input: SignedInput }) => s.tickets.scan(input),
  confirmLoginTicket: (_: unknown, { input }: { input: SignedInput }) =>
    s.tickets.decide(input, 'CONFIRMED'),
  rejectLoginTicket: (_: unknown, { input }: { input: SignedInput }) =>
    s.tickets.decide(input, 'REJECTED'),
  redeemLoginTicket: async (
    _: unknown,
    a: { id: string; ticketSecret: string },
    { loaders }: Ctx,
  ) => loginResult(s, await s.tickets.redeem(a.id, a.ticketSecret, loaders.client)),
  acceptConsent: async (_: unknown, { version }: { version: string }, { identity }: Ctx) =>
    currentResult(s, identity, await s.profile.acceptConsent(identity, version)),
  completeProfile: async (_: unknown, { input }: { input: ProfileInput }, { identity }: Ctx) =>
    currentResult(s, identity, await s.profile.completeProfile(identity, input)),

  requestLoginSmsCode: (_: unknown, { phone }: { phone: string }, { loaders }: Ctx) =>
    s.logins.requestCode(phone, loaders.client),
  loginWithSmsCode: async (_: unknown, a: { phone: string; code: string }, { loaders }: Ctx) =>
    loginResult(s, await s.logins.withCode(a.phone, a.code, loaders.client)),
  loginWithPassword: async (_: unknown, a: { phone: string; password: string }, { loaders }: Ctx) =>
    loginResult(s, await s.logins.withPassword(a.phone, a.password, loaders.client)),
  setPassword: async (
    _: unknown,
    { newPassword }: { newPassword: string },
    { identity, loaders }: Ctx,
  ) => {
    await s.logins.setPassword(identity, newPassword, loaders.client);
    return true;
  },

  requestProsecutorSmsCode: (
    _: unknown,
    a: { username: string; password: string },
    { loaders }: Ctx,
  ) => s.staff.requestCode('PROSECUTOR', a.username, a.password, loaders.client),
  prosecutorLogin: async (
    _: unknown,
    a: { username: string; password: string; smsCode: string },
    { loaders }: Ctx,
  ) =>
    loginResult(
      s,
      await s.staff.login('PROSECUTOR', a.username, a.password, a.smsCode, loaders.client),
    ),
  requestAdministratorSmsCode: (
    _: unknown,
    a: { username: string; password: string },
    { loaders }: Ctx,
  ) => s.staff.requestCode('ADMINISTRATOR', a.username, a.password, loaders.client),
  administratorLogin: async (
    _: unknown,
    a: { username: string; password: string; smsCode: string },
    { loaders }: Ctx,
  ) =>
    loginResult(
      s,
      await s.staff.login('ADMINISTRATOR', a.username, a.password, a.smsCode, loaders.client),
    ),
  setProsecutorPassword: async (
    _: unknown,
    a: { prosecutorId: string; newPassword: string },
    { identity, loaders }: Ctx,
  ) => {
    await s.staff.setProsecutorPassword(identity, a.prosecutorId, a.newPassword, loaders.client);
    return true;
  },
  changeStaffPassword: async (
    _: unknown,
    a: { currentPassword: string; newPassword: string },
    { identity, loaders }: Ctx,
  ) => {
    await s.staff.changeOwnPassword(identity, a.currentPassword, a.newPassword, loaders.client);
    return true;
  },

  renewSession: async (_: unknown, __: unknown, { identity }: Ctx) => {
    if (!hasSession(identity)) throw new AppError('UNAUTHENTICATED');
    return loginResult(s, await s.sessions.renew(identity.sessionId, s.now()));
  },
  logout: async (_: unknown, __: unknown, { identity, loaders }: Ctx) => {
    if (!hasSession(identity)) return false;
    await s.sessions.revoke(identity.sessionId, s.now());
    const actorId =
      identity.role === 'LAWYER'
        ? identity.lawyerId
        : identity.role === 'PROSECUTOR'
          ? identity.prosecutorId
          : identity.administratorId;
    await s.audit.record({
      kind: 'LOGOUT',
      actorId,
      actorRole: identity.role,
      ip: loaders.client.ip,
      detail: 'logout',
    });
    return true;
  },

  createVerificationChallenge: (
    _: unknown,
    { purpose }: { purpose: StepUpPurpose },
    { identity, loaders }: Ctx,
  ) => s.challenges.create(identity, purpose, loaders.client),
  confirmVerificationChallenge: (_: unknown, { input }: { input: SignedInput }, { loaders }: Ctx) =>
    s.challenges.confirm(input, loaders.client),
});
