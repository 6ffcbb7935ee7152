import { error } from '@sveltejs/kit';
import { graphql, type EnumOf } from '@yuejuan/client-shared/graphql';
import { api } from '$lib/app.svelte.ts';
import type { PageLoad } from './$types';

const statuses = ['PENDING', 'DELIVERED', 'FAILED', 'CANCELLED'] as const;

/**
 * One application's webhooks (administrators): its endpoints with their audit, the event types
 * its scopes allow, and the delivery log filtered by the page's query (?status, ?eventType,
 * ?endpointId, ?after).
 */
export const load: PageLoad = async ({ params, url, depends }) => {
  depends('console:webhooks');
  const q = url.searchParams;
  const status = q.get('status');
  const filter = {
    status: (statuses as readonly string[]).includes(status ?? '')
      ? (status as EnumOf<'WebhookDeliveryStatus'>)
      : null,
    eventType: q.get('eventType') || null,
    endpointId: q.get('endpointId') || null,
  };
  const d = await api().query(
    graphql(`
      query ConsoleWebhooks($id: ID!, $filter: WebhookDeliveryFilter, $after: String) {
        application(id: $id) {
          id
          name
          kind
          status
          scopes {
            name
          }
        }
        webhookEventTypes {
          name
          version
          label
          description
          lawFirmScope
          systemScope
        }
        webhookEndpoints(applicationId: $id) {
          id
          url
          description
          eventTypes
          status
          disabledReason
          disabledAt
          disabledBySystem
          failingSince
          createdAt
          secrets {
            id
            createdAt
            expiresAt
          }
          changes {
            id
            kind
            actorId
            detail
            at
          }
        }
        webhookDeliveries(applicationId: $id, filter: $filter, first: 20, after: $after) {
          edges {
            node {
              id
              endpointId
              eventType
              status
              attempts
              replays
              lastHttpStatus
              lastLatencyMs
              lastError
              nextAttemptAt
              createdAt
              deliveredAt
              payload
              log {
                id
                attempt
                replay
                outcome
                httpStatus
                latencyMs
                error
                at
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    `),
    { id: params.id, filter, after: q.get('after') || null },
  );
  if (!d.application) error(404, '接入应用不存在。');
  const scopes = new Set(d.application.scopes.map((s) => s.name));
  const allowed = d.webhookEventTypes.filter((t) =>
    scopes.has(d.application!.kind === 'LAW_FIRM' ? t.lawFirmScope : t.systemScope),
  );
  return {
    application: d.application,
    eventTypes: d.webhookEventTypes,
    allowedTypes: allowed,
    endpoints: d.webhookEndpoints,
    deliveries: d.webhookDeliveries,
    filter,
  };
};
