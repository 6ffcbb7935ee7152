import {
  AppError,
  claimOnce,
  decodeCursor,
  isDuplicateKey,
  lazyPage,
  newId,
  pageSize,
  requireRole,
  type DomainEvent,
  type Identity,
  type Logger,
  type PageArgs,
} from '@yuejuan/runtime';
import { nativeCollection } from '../models/index.ts';
import {
  webhookDeliveryStatuses,
  type WebhookAttemptDoc,
  type WebhookDeliveryStatus,
  type WebhookEndpointDoc,
  type WebhookKeyDoc,
  type WebhookMessageDoc,
  type WebhookModels,
} from '../models/webhook.model.ts';
import { webhookEventsOf, type WebhookEvent } from '../webhooks/event-types.ts';
import type { AccessCheck, WebhookAccess, WebhookApplication } from './webhook-access.service.ts';
import type { WebhookEndpoints } from './webhook-endpoints.service.ts';

export interface WebhookDeliveryFilter {
  status?: WebhookDeliveryStatus | null;
  eventType?: string | null;
  endpointId?: string | null;
}

/**
 * Webhook messages: made from domain events for the endpoints allowed to receive them, listed
 * in the delivery log, replayed. Who may receive an event is identity's answer, asked once per
 * event for every subscribed endpoint (`/internal/webhooks/access`): a law-firm application only
 * for a lawyer whose live grant includes the scope that reads the object, a procuratorate
 * system only for its own procuratorate. When identity cannot answer, the event handler fails
 * and the durable consumer tries the event again: nothing is sent unchecked.
 *
 * One message per (endpoint, event, type), ever: its key is claimed by an insert under a unique
 * `_id`, then the message and its queue item are inserted under the claimed id; each step is
 * idempotent, so an event handled twice (at-least-once consumer, two processes) makes one.
 */
export function createWebhookDeliveries(deps: {
  models: WebhookModels;
  access: WebhookAccess;
  endpoints: WebhookEndpoints;
  logger: Logger;
  onQueued: () => void;
}) {
  const { models } = deps;
  const keys = nativeCollection(models.WebhookKey);
  // Applications' kinds and scopes change rarely: kept for a few seconds between events (who
  // may receive each event is still asked of identity every time).
  const appCache = new Map<string, { at: number; app: WebhookApplication | null }>();
  async function applicationsOf(ids: string[]): Promise<Map<string, WebhookApplication>> {
    const now = Date.now();
    const missing = ids.filter((id) => (appCache.get(id)?.at ?? 0) < now - 5000);
    if (missing.length) {
      const found = await deps.access.applications(missing);
      for (const id of missing) appCache.set(id, { at: now, app: found.get(id) ?? null });
    }
    const answer = new Map<string, WebhookApplication>();
    for (const id of ids) {
      const app = appCache.get(id)?.app;
      if (app) answer.set(id, app);
    }
    return answer;
  }

  async function enqueue(
    endpoint: WebhookEndpointDoc,
    event: DomainEvent,
    we: WebhookEvent,
    scope: string,
  ) {
    const key = `${endpoint._id}:${event.id}:${we.type.name}`;
    const candidate = `msg_${newId()}`;
    const won = await claimOnce(keys, key, { messageId: candidate, at: new Date() });
    const messageId = won
      ? candidate
      : (await models.WebhookKey.findById(key).lean<WebhookKeyDoc>().exec())!.messageId;
    try {
      await models.WebhookMessage.create({
        _id: messageId,
        endpointId: endpoint._id,
        applicationId: endpoint.applicationId,
        eventId: event.id,
        eventType: we.type.name,
        body: we.body,
        access: { scope, lawyerId: we.lawyerId, procuratorateId: we.procuratorateId },
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const m = await models.WebhookMessage.findById(messageId)
        .select('status')
        .lean<Pick<WebhookMessageDoc, 'status'>>()
        .exec();
      if (m && m.status !== 'PENDING') return; // settled: never queued again
    }
    try {
      await models.WebhookQueue.create({
        _id: messageId,
        messageId,
        replayId: null,
        dueAt: new Date(),
        attempts: 0,
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  return {
    /** The durable consumer's handler: the event's webhook messages, for the endpoints allowed. */
    async handleEvent(event: DomainEvent): Promise<void> {
      const wes = webhookEventsOf(event);
      if (wes.length === 0) return;
      const endpoints = await deps.endpoints.subscribedTo(wes.map((w) => w.type.name));
      if (endpoints.length === 0) return;
      const apps = await applicationsOf([...new Set(endpoints.map((e) => e.applicationId))]);
      const pairs: { endpoint: WebhookEndpointDoc; we: WebhookEvent; scope: string }[] = [];
      const checks: AccessCheck[] = [];
      for (const endpoint of endpoints) {
        const app = apps.get(endpoint.applicationId);
        if (!app) continue;
        for (const we of wes) {
          if (!endpoint.eventTypes.includes(we.type.name)) continue;
          const scope = app.kind === 'LAW_FIRM' ? we.type.lawFirmScope : we.type.systemScope;
          pairs.push({ endpoint, we, scope });
          checks.push({
            clientId: app.id,
            scope,
            lawyerId: we.lawyerId,
            procuratorateId: we.procuratorateId,
          });
        }
      }
      const allowed = await deps.access.check(checks);
      let queued = 0;
      for (const [i, { endpoint, we, scope }] of pairs.entries()) {
        if (!allowed[i]) continue;
        await enqueue(endpoint, event, we, scope);
        queued++;
      }
      if (queued) deps.onQueued();
    },

    /** Administrators: an application's webhook messages, newest first, with filters. */
    async list(
      identity: Identity,
      applicationId: string,
      filter: WebhookDeliveryFilter | null | undefined,
      args: PageArgs,
    ) {
      requireRole(identity, 'ADMINISTRATOR');
      const first = pageSize(args.first);
      const query: Record<string, unknown> = { applicationId };
      if (filter?.status) {
        if (!webhookDeliveryStatuses.includes(filter.status))
          throw new AppError('BAD_USER_INPUT', undefined, { field: 'status' });
        query.status = filter.status;
      }
      if (filter?.eventType) query.eventType = filter.eventType;
      if (filter?.endpointId) query.endpointId = filter.endpointId;
      if (args.after) query._id = { $lt: decodeCursor(args.after) };
      return lazyPage({
        first,
        fetch: () =>
          models.WebhookMessage.find(query)
            .sort({ _id: -1 })
            .limit(first + 1)
            .lean<WebhookMessageDoc[]>()
            .exec(),
      });
    },

    /** A message's attempts, oldest first (its delivery log). */
    log: (messageId: string) =>
      models.WebhookAttempt.find({ messageId })
        .sort({ at: 1 })
        .limit(200)
        .lean<WebhookAttemptDoc[]>()
        .exec(),

    /**
     * 重新投递: a new delivery run of the same message (same `webhook-id`), its body marked
     * `"replay": {"id", "requestedAt"}` (signed with the rest). Refused when the endpoint is
     * disabled or the application may no longer read the object (a revoked grant stays revoked).
     */
    async replay(identity: Identity, messageId: string): Promise<WebhookMessageDoc> {
      const actor = requireRole(identity, 'ADMINISTRATOR').administratorId;
      const m = await models.WebhookMessage.findById(messageId).lean<WebhookMessageDoc>().exec();
      if (!m) throw new AppError('NOT_FOUND', '投递记录不存在。');
      const endpoint = await deps.endpoints.byId(m.endpointId);
      if (endpoint.status !== 'ACTIVE')
        throw new AppError('CONFLICT', '接收地址已停用，请先启用后再重新投递。');
      const [ok] = await deps.access.check([{ clientId: m.applicationId, ...m.access }]);
      if (!ok)
        throw new AppError(
          'FORBIDDEN',
          '该应用已无权读取此事件（授权已撤销、权限已变更或应用已停用），不能重新投递。',
        );
      const replayId = `rpl_${newId()}`;
      await models.WebhookQueue.create({
        _id: replayId,
        messageId,
        replayId,
        dueAt: new Date(),
        attempts: 0,
      });
      const after = await models.WebhookMessage.findOneAndUpdate(
        { _id: messageId },
        { $inc: { replays: 1 } },
        { new: true },
      )
        .lean<WebhookMessageDoc>()
        .exec();
      await deps.endpoints.replayed(endpoint, actor, messageId);
      deps.logger.info({ messageId, replayId }, 'webhook replay queued');
      deps.onQueued();
      return after!;
    },
  };
}
export type WebhookDeliveries = ReturnType<typeof createWebhookDeliveries>;
