import type { PageArgs, ServiceContext } from '@yuejuan/runtime';
import type {
  WebhookAttemptDoc,
  WebhookAuditDoc,
  WebhookEndpointDoc,
  WebhookMessageDoc,
  WebhookSecretDoc,
} from '../models/index.ts';
import type { NotificationsServices } from '../services/index.ts';
import type { WebhookDeliveryFilter } from '../services/webhook-deliveries.service.ts';
import type { WebhookEndpointInput } from '../services/webhook-endpoints.service.ts';
import { webhookEventTypes } from '../webhooks/event-types.ts';

type Context = ServiceContext<unknown>;
const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** The webhook fields of Query and Mutation, and the webhook types: each hands off to a service. */
export function webhookResolvers({ webhooks }: NotificationsServices) {
  const { endpoints, deliveries } = webhooks;
  return {
    Query: {
      webhookEventTypes: () => [...webhookEventTypes],
      webhookEndpoints: (_: unknown, { applicationId }: { applicationId: string }, c: Context) =>
        endpoints.list(c.identity, applicationId),
      webhookEndpointsDisabledBySystem: (_: unknown, __: unknown, c: Context) =>
        endpoints.disabledBySystem(c.identity),
      webhookDeliveries: (
        _: unknown,
        args: PageArgs & { applicationId: string; filter?: WebhookDeliveryFilter | null },
        c: Context,
      ) => deliveries.list(c.identity, args.applicationId, args.filter, args),
    },
    Mutation: {
      addWebhookEndpoint: (
        _: unknown,
        a: { applicationId: string; input: WebhookEndpointInput },
        c: Context,
      ) => endpoints.add(c.identity, a.applicationId, a.input),
      updateWebhookEndpoint: (
        _: unknown,
        a: { id: string; input: WebhookEndpointInput },
        c: Context,
      ) => endpoints.update(c.identity, a.id, a.input),
      rotateWebhookSecret: (
        _: unknown,
        a: { id: string; overlapSeconds?: number | null },
        c: Context,
      ) => endpoints.rotate(c.identity, a.id, a.overlapSeconds),
      disableWebhookEndpoint: (_: unknown, a: { id: string; reason: string }, c: Context) =>
        endpoints.disable(c.identity, a.id, a.reason),
      enableWebhookEndpoint: (_: unknown, a: { id: string }, c: Context) =>
        endpoints.enable(c.identity, a.id),
      replayWebhookDelivery: (_: unknown, a: { id: string }, c: Context) =>
        deliveries.replay(c.identity, a.id),
    },
    WebhookEndpoint: {
      id: (e: WebhookEndpointDoc) => e._id,
      disabledAt: (e: WebhookEndpointDoc) => iso(e.disabledAt),
      disabledBySystem: (e: WebhookEndpointDoc) =>
        e.status === 'DISABLED' && e.disabledBy === 'SYSTEM',
      secrets: (e: WebhookEndpointDoc) =>
        e.secrets.filter((s) => !s.expiresAt || s.expiresAt > new Date()),
      failingSince: (e: WebhookEndpointDoc) => iso(e.failingSince),
      createdAt: (e: WebhookEndpointDoc) => e.createdAt.toISOString(),
      changes: (e: WebhookEndpointDoc) => endpoints.changes(e._id),
    },
    WebhookSecretInfo: {
      createdAt: (s: WebhookSecretDoc) => s.createdAt.toISOString(),
      expiresAt: (s: WebhookSecretDoc) => iso(s.expiresAt),
    },
    WebhookDelivery: {
      id: (m: WebhookMessageDoc) => m._id,
      nextAttemptAt: (m: WebhookMessageDoc) => iso(m.nextAttemptAt),
      createdAt: (m: WebhookMessageDoc) => m.createdAt.toISOString(),
      deliveredAt: (m: WebhookMessageDoc) => iso(m.deliveredAt),
      payload: (m: WebhookMessageDoc) => m.body,
      log: (m: WebhookMessageDoc) => deliveries.log(m._id),
    },
    WebhookAttempt: {
      id: (a: WebhookAttemptDoc) => a._id,
      at: (a: WebhookAttemptDoc) => a.at.toISOString(),
    },
    WebhookAuditEvent: {
      id: (a: WebhookAuditDoc) => a._id,
      at: (a: WebhookAuditDoc) => a.at.toISOString(),
    },
  };
}
