import type { DomainEvent } from '@yuejuan/runtime';

/**
 * The webhook event types integrators subscribe to, derived from the bus's domain events.
 * Versioned: a type's payload only ever gains fields within a version; anything else is a new
 * version (`…status_changed` v2) listed beside the old one. Each type names the scope that
 * reads its object: a law-firm application receives an event only for a lawyer whose live
 * grant to it includes that scope, a procuratorate system only for its own procuratorate (and
 * only with `cases:read`). Payloads carry ids, type, status and time: never a reason, a name,
 * a place, a password or a document.
 */
export interface WebhookEventType {
  name: string;
  version: number;
  /** 中文名称 for the console. */
  label: string;
  description: string;
  /** The bus topic it comes from. */
  topic: string;
  /** The scope a law-firm application needs (for the event's lawyer). */
  lawFirmScope: string;
  /** The scope a procuratorate system needs (for the event's procuratorate). */
  systemScope: string;
  /** The event's data, or null when this event is not of this type (e.g. package progress). */
  data: (p: Record<string, unknown>) => Record<string, unknown> | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
/** Keeps only the named fields that are strings or numbers (never free text: none is named). */
const pick = (p: Record<string, unknown>, names: string[]) =>
  Object.fromEntries(
    names.filter((n) => typeof p[n] === 'string' || typeof p[n] === 'number').map((n) => [n, p[n]]),
  );

export const webhookEventTypes: readonly WebhookEventType[] = [
  {
    name: 'binding_application.status_changed',
    version: 1,
    label: '案件绑定申请状态变更',
    description: '案件绑定申请提交、通过、驳回、要求补充材料、撤回或撤销。',
    topic: 'cases.bindingApplication.changed',
    lawFirmScope: 'bindings:read',
    systemScope: 'cases:read',
    data: (p) => pick(p, ['applicationId', 'caseId', 'procuratorateId', 'lawyerId', 'status']),
  },
  {
    name: 'reading_application.status_changed',
    version: 1,
    label: '在线阅卷申请状态变更',
    description: '在线阅卷申请提交、通过或驳回。',
    topic: 'reading.readingApplication.changed',
    lawFirmScope: 'applications:read',
    systemScope: 'cases:read',
    data: (p) => pick(p, ['applicationId', 'caseId', 'procuratorateId', 'lawyerId', 'status']),
  },
  {
    name: 'package.ready',
    version: 1,
    label: '卷宗包已就绪',
    description: '卷宗包制作完成（含补充卷宗后重新制作），可下载。不含密码与卷宗内容。',
    topic: 'reading.package.changed',
    lawFirmScope: 'applications:read',
    systemScope: 'cases:read',
    data: (p) =>
      p.status === 'READY'
        ? pick(p, ['packageId', 'appointmentId', 'procuratorateId', 'lawyerId', 'status'])
        : null,
  },
  {
    name: 'package.revoked',
    version: 1,
    label: '卷宗包已撤回',
    description: '卷宗包被撤回（不再可下载）。',
    topic: 'reading.package.changed',
    lawFirmScope: 'applications:read',
    systemScope: 'cases:read',
    data: (p) =>
      p.status === 'REVOKED'
        ? pick(p, ['packageId', 'appointmentId', 'procuratorateId', 'lawyerId', 'status'])
        : null,
  },
  {
    name: 'appointment.status_changed',
    version: 1,
    label: '预约状态变更',
    description: '现场阅卷、听取意见预约的申请、确认、改期、拒绝或取消。',
    topic: 'reading.appointment.changed',
    lawFirmScope: 'appointments:read',
    systemScope: 'cases:read',
    data: (p) =>
      pick(p, ['appointmentId', 'procuratorateId', 'lawyerId', 'status', 'change', 'startsAt']),
  },
];

export const webhookEventTypeByName: ReadonlyMap<string, WebhookEventType> = new Map(
  webhookEventTypes.map((t) => [t.name, t]),
);
export const webhookTopics = [...new Set(webhookEventTypes.map((t) => t.topic))];

/** The event types an application may subscribe to: those whose scope it may hold. */
export function eventTypesFor(app: {
  kind: 'LAW_FIRM' | 'PROCURATORATE_SYSTEM';
  scopes: string[];
}): WebhookEventType[] {
  return webhookEventTypes.filter((t) =>
    app.scopes.includes(app.kind === 'LAW_FIRM' ? t.lawFirmScope : t.systemScope),
  );
}

/** A domain event as webhook events: its type, the object's owner, and the Standard Webhooks body. */
export interface WebhookEvent {
  type: WebhookEventType;
  lawyerId: string | null;
  procuratorateId: string | null;
  /** `{"type", "timestamp", "data"}`, the Standard Webhooks payload structure. */
  body: string;
}

export function webhookEventsOf(event: DomainEvent): WebhookEvent[] {
  const p = event.payload as Record<string, unknown>;
  const out: WebhookEvent[] = [];
  for (const type of webhookEventTypes) {
    if (type.topic !== event.topic) continue;
    const data = type.data(p);
    if (!data) continue;
    const at = new Date(event.at).toISOString();
    out.push({
      type,
      lawyerId: str(p.lawyerId),
      procuratorateId: str(p.procuratorateId),
      body: JSON.stringify({
        type: type.name,
        version: type.version,
        timestamp: at,
        data: { ...data, eventId: event.id, occurredAt: at },
      }),
    });
  }
  return out;
}
