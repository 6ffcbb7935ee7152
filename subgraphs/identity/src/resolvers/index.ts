import type { Resolvers } from '../generated/resolvers.ts';
import type { IdentityServices } from '../services/index.ts';
import type { AuthorizationService } from '../oauth/authorizations.ts';
import { Activation } from './Activation.ts';
import {
  AppAuthorization,
  Application,
  ClientSecretInfo,
  OAuthConsentRequest,
  RegisteredOperation,
} from './Application.ts';
import { AuditEvent } from './AuditEvent.ts';
import { Device } from './Device.ts';
import { Lawyer } from './Lawyer.ts';
import { Mutation } from './Mutation.ts';
import { Procuratorate } from './Procuratorate.ts';
import { Prosecutor } from './Prosecutor.ts';
import { Query } from './Query.ts';
import { Subscription } from './Subscription.ts';
import { Viewer } from './Viewer.ts';
import { withQrSvg } from './qr-svg.ts';

/** The identity resolvers; each type's file hands off to the services. */
export const createResolvers = (
  services: IdentityServices,
  authorizations: AuthorizationService,
): Resolvers => ({
  Query: Query(services, authorizations),
  Mutation: Mutation(services, authorizations),
  Subscription: Subscription(services),
  Viewer: Viewer(services),
  Lawyer,
  Prosecutor,
  Procuratorate,
  Device,
  Activation: Activation(services),
  AuditEvent,
  Application: Application(services),
  ClientSecretInfo,
  OAuthConsentRequest,
  AppAuthorization,
  RegisteredOperation,
  LoginTicket: withQrSvg,
  VerificationChallenge: withQrSvg,
});
