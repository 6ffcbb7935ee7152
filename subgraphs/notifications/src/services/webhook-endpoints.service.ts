import { randomBytes } from 'node:crypto';
import { AppError, newId, requireRole, type Identity, type Logger } from '@yuejuan/runtime';
import type {
  WebhookAuditDoc,
  WebhookEndpointDoc,
  WebhookModels,
} from '../models/webhook.model.ts';
import { eventTypesFor, webhookEventTypeByName } from '../webhooks/event-types.ts';
import { webhookEndpointsDisabledTotal } from '../webhooks/metrics.ts';
import { newSigningSecret, type Sealer } from '../webhooks/signing.ts';
import { endpointUrlProblem } from '../webhooks/url-guard.ts';
import type { WebhookAccess, WebhookApplication } from './webhook-access.service.ts';

/** What an administrator enters for an endpoint. */
export interface WebhookEndpointInput {
  url: string;
  eventTypes: string[];
  description?: string | null;
}

/** A signing secret in the clear: answered once, when it is made. */
export interface IssuedWebhookSecret {
  endpoint: WebhookEndpointDoc;
  secret: string;
}

const maxEndpoints = 10;
const bad = (field: string, message: string) => new AppError('BAD_USER_INPUT', message, { field });

/**
 * Webhook endpoints of integrators' applications, managed by administrators on 接入应用管理:
 * added for event types the application's scopes allow, the signing secret shown once,
 * rotated with an overlap (every live secret signs), disabled and enabled; every change in
 * the endpoint's audit trail. An endpoint that keeps failing is disabled by the sender
 * (`disableFailing`), which the console shows as a notice.
 */
export function createWebhookEndpoints(deps: {
  models: WebhookModels;
  access: WebhookAccess;
  sealer: Sealer;
  allowPrivate: boolean;
  overlapSeconds: number;
  logger: Logger;
  now?: () => Date;
}) {
  const { models } = deps;
  const now = deps.now ?? (() => new Date());

  const admin = (identity: Identity) => requireRole(identity, 'ADMINISTRATOR').administratorId;

  async function application(id: string): Promise<WebhookApplication> {
    const app = (await deps.access.applications([id])).get(id);
    if (!app) throw new AppError('NOT_FOUND', '接入应用不存在。');
    return app;
  }

  async function byId(id: string): Promise<WebhookEndpointDoc> {
    const e = await models.WebhookEndpoint.findById(id).lean<WebhookEndpointDoc>().exec();
    if (!e) throw new AppError('NOT_FOUND', 'Webhook 接收地址不存在。');
    return e;
  }

  async function validate(app: WebhookApplication, input: WebhookEndpointInput) {
    const url = (input.url ?? '').trim();
    const problem = await endpointUrlProblem(url, deps.allowPrivate);
    if (problem) throw bad('url', problem);
    const allowed = new Set(eventTypesFor(app).map((t) => t.name));
    const eventTypes = [...new Set(input.eventTypes ?? [])];
    if (eventTypes.length === 0) throw bad('eventTypes', '请至少选择一种事件类型。');
    for (const t of eventTypes) {
      if (!webhookEventTypeByName.has(t)) throw bad('eventTypes', `未知的事件类型：${t}`);
      if (!allowed.has(t))
        throw bad(
          'eventTypes',
          `该应用的权限范围不包含读取“${webhookEventTypeByName.get(t)!.label}”。`,
        );
    }
    const description = (input.description ?? '').trim() || null;
    if (description && (description.length > 100 || /[\p{Cc}\p{Cf}]/u.test(description)))
      throw bad('description', '备注最多100字，且不能包含控制字符。');
    return { url, eventTypes, description };
  }

  async function record(
    e: Pick<WebhookEndpointDoc, '_id' | 'applicationId' | 'url'>,
    kind: WebhookAuditDoc['kind'],
    actorId: string | null,
    detail: string,
  ) {
    await models.WebhookAudit.create({
      _id: newId(),
      applicationId: e.applicationId,
      endpointId: e._id,
      kind,
      actorId,
      actorRole: actorId ? 'ADMINISTRATOR' : 'SYSTEM',
      detail: `${e.url}：${detail}`,
      at: now(),
    });
  }

  const issue = () => {
    const secret = newSigningSecret();
    return {
      secret,
      stored: {
        id: randomBytes(6).toString('hex'),
        sealed: deps.sealer.seal(secret),
        createdAt: now(),
        expiresAt: null,
      },
    };
  };

  async function setStatus(
    e: WebhookEndpointDoc,
    disabled: boolean,
    actorId: string | null,
    reason: string | null,
  ): Promise<WebhookEndpointDoc> {
    const after = await models.WebhookEndpoint.findOneAndUpdate(
      { _id: e._id },
      disabled
        ? {
            $set: {
              status: 'DISABLED',
              disabledAt: now(),
              disabledReason: reason,
              disabledBy: actorId ?? 'SYSTEM',
            },
          }
        : {
            $set: {
              status: 'ACTIVE',
              disabledAt: null,
              disabledReason: null,
              disabledBy: null,
              failingSince: null,
            },
          },
      { new: true },
    )
      .lean<WebhookEndpointDoc>()
      .exec();
    await record(
      e,
      disabled ? 'ENDPOINT_DISABLED' : 'ENDPOINT_ENABLED',
      actorId,
      disabled ? `停用：${reason}` : '启用',
    );
    return after!;
  }

  return {
    byId,
    find: (id: string) => models.WebhookEndpoint.findById(id).lean<WebhookEndpointDoc>().exec(),

    /** Administrators: an application's endpoints, newest first. */
    async list(identity: Identity, applicationId: string): Promise<WebhookEndpointDoc[]> {
      admin(identity);
      return models.WebhookEndpoint.find({ applicationId })
        .sort({ createdAt: -1 })
        .lean<WebhookEndpointDoc[]>()
        .exec();
    },

    /** Administrators: endpoints the platform disabled for failing too long (the console's notice). */
    async disabledBySystem(identity: Identity): Promise<WebhookEndpointDoc[]> {
      admin(identity);
      return models.WebhookEndpoint.find({ status: 'DISABLED', disabledBy: 'SYSTEM' })
        .sort({ disabledAt: -1 })
        .limit(100)
        .lean<WebhookEndpointDoc[]>()
        .exec();
    },

    /** The active endpoints subscribed to one of `types` (the intake's question, once per event). */
    subscribedTo: (types: string[]) =>
      models.WebhookEndpoint.find({ status: 'ACTIVE', eventTypes: { $in: types } })
        .lean<WebhookEndpointDoc[]>()
        .exec(),

    /** An endpoint's audit trail, newest first (at most 100). */
    changes: (endpointId: string) =>
      models.WebhookAudit.find({ endpointId })
        .sort({ _id: -1 })
        .limit(100)
        .lean<WebhookAuditDoc[]>()
        .exec(),

    /** Adds an endpoint; its signing secret is in the answer, once. */
    async add(
      identity: Identity,
      applicationId: string,
      input: WebhookEndpointInput,
    ): Promise<IssuedWebhookSecret> {
      const actor = admin(identity);
      const app = await application(applicationId);
      const fields = await validate(app, input);
      if ((await models.WebhookEndpoint.countDocuments({ applicationId }).exec()) >= maxEndpoints)
        throw new AppError('CONFLICT', `每个接入应用最多登记 ${maxEndpoints} 个接收地址。`);
      const { secret, stored } = issue();
      const doc = await models.WebhookEndpoint.create({
        _id: `whe_${randomBytes(12).toString('base64url')}`,
        applicationId,
        ...fields,
        secrets: [stored],
        createdBy: actor,
      });
      const endpoint = doc.toObject() as WebhookEndpointDoc;
      await record(endpoint, 'ENDPOINT_ADDED', actor, `登记，事件 ${fields.eventTypes.join(' ')}`);
      return { endpoint, secret };
    },

    /** Changes an endpoint's address, event types or note; the audit names what changed. */
    async update(
      identity: Identity,
      id: string,
      input: WebhookEndpointInput,
    ): Promise<WebhookEndpointDoc> {
      const actor = admin(identity);
      const before = await byId(id);
      const fields = await validate(await application(before.applicationId), input);
      const changed = (Object.keys(fields) as (keyof typeof fields)[]).filter(
        (k) => JSON.stringify(fields[k]) !== JSON.stringify(before[k]),
      );
      if (changed.length === 0) return before;
      const after = await models.WebhookEndpoint.findOneAndUpdate(
        { _id: id },
        { $set: fields },
        { new: true },
      )
        .lean<WebhookEndpointDoc>()
        .exec();
      await record(
        before,
        'ENDPOINT_UPDATED',
        actor,
        changed
          .map((k) => `${k}：${JSON.stringify(before[k])} → ${JSON.stringify(fields[k])}`)
          .join('；'),
      );
      return after!;
    },

    /**
     * A new signing secret; the live ones before it keep signing for `overlapSeconds` (both
     * signatures are sent, as Standard Webhooks allows), so the receiver can switch at leisure.
     */
    async rotate(
      identity: Identity,
      id: string,
      overlapSeconds: number | null | undefined,
    ): Promise<IssuedWebhookSecret> {
      const actor = admin(identity);
      const overlap = overlapSeconds ?? deps.overlapSeconds;
      if (!Number.isInteger(overlap) || overlap < 0 || overlap > 30 * 86400)
        throw bad('overlapSeconds', '新旧密钥并存时间应为 0 至 30 天。');
      const e = await byId(id);
      const at = now();
      const until = new Date(at.getTime() + overlap * 1000);
      const kept = e.secrets
        .filter((s) => !s.expiresAt || s.expiresAt > at)
        .map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < until ? s.expiresAt : until }))
        .filter((s) => s.expiresAt > at);
      const { secret, stored } = issue();
      const endpoint = await models.WebhookEndpoint.findOneAndUpdate(
        { _id: id },
        { $set: { secrets: [...kept, stored] } },
        { new: true },
      )
        .lean<WebhookEndpointDoc>()
        .exec();
      await record(
        e,
        'SECRET_ROTATED',
        actor,
        `新密钥 ${stored.id}；旧密钥${kept.length ? `至 ${until.toISOString()} 前仍签名` : '已停用'}`,
      );
      return { endpoint: endpoint!, secret };
    },

    /** An administrator disables an endpoint: nothing more is sent to it. */
    async disable(identity: Identity, id: string, reason: string): Promise<WebhookEndpointDoc> {
      const actor = admin(identity);
      const why = (reason ?? '').trim();
      if (!why || why.length > 200) throw bad('reason', '请填写停用原因（最多200字）。');
      const e = await byId(id);
      return e.status === 'DISABLED' ? e : setStatus(e, true, actor, why);
    },

    /** An administrator enables an endpoint again (its failure streak starts afresh). */
    async enable(identity: Identity, id: string): Promise<WebhookEndpointDoc> {
      const actor = admin(identity);
      const e = await byId(id);
      return e.status === 'ACTIVE' ? e : setStatus(e, false, actor, null);
    },

    /** The sender disables an endpoint that failed for too long; the console shows it as a notice. */
    async disableFailing(e: WebhookEndpointDoc, since: Date): Promise<void> {
      // Read again: several failing deliveries may get here at once.
      const current = await models.WebhookEndpoint.findById(e._id)
        .lean<WebhookEndpointDoc>()
        .exec();
      if (!current || current.status === 'DISABLED') return;
      await setStatus(e, true, null, `自 ${since.toISOString()} 起持续投递失败，已自动停用`);
      webhookEndpointsDisabledTotal.inc();
      deps.logger.warn(
        { endpointId: e._id, applicationId: e.applicationId, failingSince: since },
        'webhook endpoint disabled after failing too long',
      );
    },

    /** The secrets that sign now, newest first, in the clear. */
    signingSecrets(e: WebhookEndpointDoc, at = now()): string[] {
      return e.secrets
        .filter((s) => !s.expiresAt || s.expiresAt > at)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map((s) => deps.sealer.open(s.sealed));
    },

    /** Records a replay in the endpoint's audit trail. */
    replayed: (e: WebhookEndpointDoc, actorId: string, messageId: string) =>
      record(e, 'DELIVERY_REPLAYED', actorId, `重新投递 ${messageId}`),
  };
}
export type WebhookEndpoints = ReturnType<typeof createWebhookEndpoints>;
