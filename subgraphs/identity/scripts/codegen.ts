// Resolver types of the identity subgraph (src/generated/resolvers.ts), from schema/identity.graphql:
// each GraphQL type mapped to the value its resolvers receive.
//
//   npx tsx scripts/codegen.ts [--check]   (npm run codegen -w @yuejuan/identity)
import { fileURLToPath } from 'node:url';
import { runResolverCodegen, type ResolverTypesConfig } from '@yuejuan/schema/codegen';

export const generatedPath = fileURLToPath(
  new URL('../src/generated/resolvers.ts', import.meta.url),
);
const models = '../models/index.ts';
export const config: ResolverTypesConfig = {
  contextType: '../context.ts#Context',
  mappers: {
    Viewer: '../resolvers/Viewer.ts#ViewerParent',
    Lawyer: `${models}#LawyerDoc`,
    Prosecutor: `${models}#ProsecutorDoc`,
    Device: `${models}#DeviceDoc`,
    Activation: `${models}#ActivationDoc`,
    AuditEvent: `${models}#AuditEventDoc`,
    AuditEventConnection: '../resolvers/AuditEvent.ts#AuditEventPage',
    LoginTicket: '../services/ticket.service.ts#TicketView',
    VerificationChallenge: '../services/challenge.service.ts#ChallengeView',
    Procuratorate: '../resolvers/Procuratorate.ts#ProcuratorateRef',
    Application: `${models}#ApplicationDoc`,
    RegisteredOperation: `${models}#ApplicationOperationDoc`,
    ApplicationSecret: '../services/application.service.ts#IssuedSecret',
    ClientSecretInfo: '../resolvers/Application.ts#SecretRecord',
    OAuthScope: '@yuejuan/runtime#ScopeDefinition',
    OAuthConsentRequest: '../oauth/authorizations.ts#ConsentRequest',
    AppAuthorization: '../oauth/authorizations.ts#Authorization',
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url))
  await runResolverCodegen('identity', generatedPath, config);
