// Webhooks (issue 16 part 4): integrators' endpoints, the messages made for them from domain
// events, the queue the sender works from, its leases, the delivery log and the audit trail.
// Decisions that must happen once are inserts under a unique `_id` (see claims.model.ts).
import { Schema, type Connection } from 'mongoose';

export const webhookEndpointStatuses = ['ACTIVE', 'DISABLED'] as const;
export const webhookDeliveryStatuses = ['PENDING', 'DELIVERED', 'FAILED', 'CANCELLED'] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/**
 * An application's webhook endpoint (`whe_…`). Its signing secrets are needed in the clear to
 * sign (HMAC), so they are kept sealed (AES-256-GCM under WEBHOOK_SECRET_KEY); more than one is
 * live during a rotation's overlap, and every live one signs.
 */
const endpointSchema = new Schema(
  {
    _id: { type: String, required: true },
    applicationId: { type: String, required: true },
    url: { type: String, required: true },
    description: { type: String, default: null },
    eventTypes: { type: [String], default: [] },
    status: { type: String, required: true, enum: webhookEndpointStatuses, default: 'ACTIVE' },
    disabledReason: { type: String, default: null },
    disabledAt: { type: Date, default: null },
    /** An administrator's id, or SYSTEM when it was disabled for failing too long. */
    disabledBy: { type: String, default: null },
    secrets: {
      type: [
        {
          _id: false,
          id: { type: String, required: true },
          sealed: { type: String, required: true },
          createdAt: { type: Date, required: true },
          expiresAt: { type: Date, default: null },
        },
      ],
      default: [],
    },
    /** Since when every attempt failed (cleared by a success): an endpoint failing too long is disabled. */
    failingSince: { type: Date, default: null },
    createdBy: { type: String, required: true },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
endpointSchema.index({ applicationId: 1 });
export interface WebhookSecretDoc {
  id: string;
  sealed: string;
  createdAt: Date;
  expiresAt: Date | null;
}
export interface WebhookEndpointDoc {
  _id: string;
  applicationId: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  status: (typeof webhookEndpointStatuses)[number];
  disabledReason: string | null;
  disabledAt: Date | null;
  disabledBy: string | null;
  secrets: WebhookSecretDoc[];
  failingSince: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** `${endpointId}:${eventId}` → the one message made for that endpoint from that event. */
const keySchema = new Schema(
  { _id: { type: String, required: true }, messageId: { type: String, required: true }, at: Date },
  { versionKey: false },
);
export interface WebhookKeyDoc {
  _id: string;
  messageId: string;
  at: Date;
}

/**
 * One webhook message (`msg_…`, its `webhook-id`, the same for every attempt and replay): the
 * body as signed (ids, type, status, time; never a secret, a name or a document) and how its
 * delivery stands. Who may receive it is re-checked with identity before a retry or replay.
 */
const messageSchema = new Schema(
  {
    _id: { type: String, required: true },
    endpointId: { type: String, required: true },
    applicationId: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    body: { type: String, required: true },
    /** What identity checks: the scope that reads the object, for this lawyer or procuratorate. */
    access: {
      scope: { type: String, required: true },
      lawyerId: { type: String, default: null },
      procuratorateId: { type: String, default: null },
    },
    status: { type: String, required: true, enum: webhookDeliveryStatuses, default: 'PENDING' },
    attempts: { type: Number, default: 0 },
    replays: { type: Number, default: 0 },
    lastHttpStatus: { type: Number, default: null },
    lastLatencyMs: { type: Number, default: null },
    lastError: { type: String, default: null },
    nextAttemptAt: { type: Date, default: null },
    deliveredAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
messageSchema.index({ applicationId: 1, _id: -1 });
export interface WebhookMessageDoc {
  _id: string;
  endpointId: string;
  applicationId: string;
  eventId: string;
  eventType: string;
  body: string;
  access: { scope: string; lawyerId: string | null; procuratorateId: string | null };
  status: WebhookDeliveryStatus;
  attempts: number;
  replays: number;
  lastHttpStatus: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What the sender works from: one item per delivery run, deleted when it ends. The first run of
 * a message is queued under the message id; a replay under its own id (`rpl_…`). Each attempt of
 * a run is claimed by inserting the lease `${itemId}:attempt:${n}`.
 */
const queueSchema = new Schema(
  {
    _id: { type: String, required: true },
    messageId: { type: String, required: true },
    replayId: { type: String, default: null },
    dueAt: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, minimize: false },
);
queueSchema.index({ dueAt: 1 });
export interface WebhookQueueDoc {
  _id: string;
  messageId: string;
  replayId: string | null;
  dueAt: Date;
  attempts: number;
  createdAt: Date;
}

const leaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    sender: String,
    at: Date,
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
leaseSchema.index({ expiresAt: 1 });
export interface WebhookLeaseDoc {
  _id: string;
  sender: string;
  at: Date;
  expiresAt: Date;
}

/** The delivery log: one document per attempt (`${itemId}:${n}`), with what the receiver answered. */
const attemptSchema = new Schema(
  {
    _id: { type: String, required: true },
    messageId: { type: String, required: true },
    endpointId: { type: String, required: true },
    applicationId: { type: String, required: true },
    replay: { type: Boolean, default: false },
    attempt: { type: Number, required: true },
    outcome: { type: String, required: true, enum: ['SUCCEEDED', 'FAILED'] },
    httpStatus: { type: Number, default: null },
    latencyMs: { type: Number, required: true },
    error: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
attemptSchema.index({ messageId: 1 });
export interface WebhookAttemptDoc {
  _id: string;
  messageId: string;
  endpointId: string;
  applicationId: string;
  replay: boolean;
  attempt: number;
  outcome: 'SUCCEEDED' | 'FAILED';
  httpStatus: number | null;
  latencyMs: number;
  error: string | null;
  at: Date;
}

export const webhookAuditKinds = [
  'ENDPOINT_ADDED',
  'ENDPOINT_UPDATED',
  'SECRET_ROTATED',
  'ENDPOINT_DISABLED',
  'ENDPOINT_ENABLED',
  'DELIVERY_REPLAYED',
] as const;
/** Who changed an endpoint and what, like the applications' audit in identity. */
const auditSchema = new Schema(
  {
    _id: { type: String, required: true },
    applicationId: { type: String, required: true },
    endpointId: { type: String, required: true },
    kind: { type: String, required: true, enum: webhookAuditKinds },
    actorId: { type: String, default: null },
    actorRole: { type: String, required: true, enum: ['ADMINISTRATOR', 'SYSTEM'] },
    detail: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
auditSchema.index({ endpointId: 1, _id: -1 });
export interface WebhookAuditDoc {
  _id: string;
  applicationId: string;
  endpointId: string;
  kind: (typeof webhookAuditKinds)[number];
  actorId: string | null;
  actorRole: 'ADMINISTRATOR' | 'SYSTEM';
  detail: string | null;
  at: Date;
}

/** The webhook models, registered on the notifications connection. */
export function webhookModels(c: Connection) {
  return {
    WebhookEndpoint: c.model('WebhookEndpoint', endpointSchema, 'webhook_endpoints'),
    WebhookKey: c.model('WebhookKey', keySchema, 'webhook_keys'),
    WebhookMessage: c.model('WebhookMessage', messageSchema, 'webhook_messages'),
    WebhookQueue: c.model('WebhookQueueItem', queueSchema, 'webhook_queue'),
    WebhookLease: c.model('WebhookLease', leaseSchema, 'webhook_leases'),
    WebhookAttempt: c.model('WebhookAttempt', attemptSchema, 'webhook_attempts'),
    WebhookAudit: c.model('WebhookAudit', auditSchema, 'webhook_audit'),
  };
}
export type WebhookModels = ReturnType<typeof webhookModels>;
