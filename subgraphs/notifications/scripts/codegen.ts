// Resolver types of the notifications subgraph (src/generated/resolvers.ts), from
// schema/notifications.graphql: each GraphQL type mapped to the value its resolvers receive.
//
//   npx tsx scripts/codegen.ts [--check]   (npm run codegen -w @yuejuan/notifications)
import { fileURLToPath } from 'node:url';
import { runResolverCodegen, type ResolverTypesConfig } from '@yuejuan/schema/codegen';

export const generatedPath = fileURLToPath(
  new URL('../src/generated/resolvers.ts', import.meta.url),
);
const models = '../models/index.ts';
const parents = '../resolvers/parents.ts';
export const config: ResolverTypesConfig = {
  contextType: '@yuejuan/runtime#ServiceContext',
  mappers: {
    Lawyer: `${parents}#EntityRef`,
    Prosecutor: `${parents}#EntityRef`,
    Notification: `${models}#NotificationDoc`,
    NotificationConnection: `${parents}#NotificationPage`,
    SmsMessage: `${models}#SmsMessageDoc`,
    SmsMessageConnection: `${parents}#SmsMessagePage`,
    DevSms: `${models}#DevSmsDoc`,
    WebhookEventType: '../webhooks/event-types.ts#WebhookEventType',
    WebhookEndpoint: `${models}#WebhookEndpointDoc`,
    WebhookSecretInfo: `${models}#WebhookSecretDoc`,
    WebhookEndpointSecret: '../services/webhook-endpoints.service.ts#IssuedWebhookSecret',
    WebhookDelivery: `${models}#WebhookMessageDoc`,
    WebhookDeliveryConnection: `${parents}#WebhookDeliveryPage`,
    WebhookAttempt: `${models}#WebhookAttemptDoc`,
    WebhookAuditEvent: `${models}#WebhookAuditDoc`,
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url))
  await runResolverCodegen('notifications', generatedPath, config);
