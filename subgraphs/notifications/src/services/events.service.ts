import type { DomainEvent } from '@yuejuan/runtime';
import type { MessageKind } from '../models/index.ts';
import { clip, render, templates, variableRules } from '../templates.ts';
import type { Fanout } from '../workers/fanout.ts';
import type { NotificationService } from './notification.service.ts';
import type { Outbox } from './outbox.service.ts';

/** Topics the notifications consumer follows (payloads are keys, never secrets). */
export const consumedTopics = [
  'cases.bindingApplication.changed',
  'reading.readingApplication.changed',
  'reading.package.changed',
  'reading.package.expiring',
  'reading.appointment.changed',
];

type Payload = Record<string, unknown>;
interface Intent {
  kind: MessageKind;
  subjectId: string | null;
  sms: boolean;
}

/**
 * What a lawyer hears of an event. A ready package is announced in-app only: its SMS carries
 * the passwords, which never travel on the bus, so reading sends it through /internal/sms.
 */
function lawyerIntent(topic: string, p: Payload): Intent | null {
  const subjectId = typeof p.applicationId === 'string' ? p.applicationId : null;
  if (topic === 'cases.bindingApplication.changed') {
    const kind = (
      {
        APPROVED: 'BINDING_APPROVED',
        REJECTED: 'BINDING_REJECTED',
        MATERIALS_REQUESTED: 'BINDING_MATERIALS_REQUESTED',
        REVOKED: 'BINDING_REVOKED',
      } as const
    )[p.status as string];
    return kind ? { kind, subjectId, sms: true } : null;
  }
  if (topic === 'reading.readingApplication.changed') {
    const kind = ({ APPROVED: 'READING_APPROVED', REJECTED: 'READING_REJECTED' } as const)[
      p.status as string
    ];
    return kind ? { kind, subjectId, sms: true } : null;
  }
  // 补充卷宗: the rebuilt package is ready with volumes added; told by SMS and in-app (the new
  // passwords follow through /internal/sms, as for any build).
  if (
    topic === 'reading.package.changed' &&
    p.status === 'READY' &&
    typeof p.supplement === 'string'
  )
    return {
      kind: 'PACKAGE_SUPPLEMENTED',
      subjectId: typeof p.packageId === 'string' ? p.packageId : null,
      sms: true,
    };
  if (topic === 'reading.package.changed' && p.status === 'READY')
    return {
      kind: 'PACKAGE_READY',
      subjectId: typeof p.packageId === 'string' ? p.packageId : null,
      sms: false,
    };
  // A package withdrawn with its case binding is told by BINDING_REVOKED: one message, not two.
  if (
    topic === 'reading.package.changed' &&
    p.status === 'REVOKED' &&
    p.cause !== 'BINDING_REVOKED'
  )
    return {
      kind: 'PACKAGE_REVOKED',
      subjectId: typeof p.packageId === 'string' ? p.packageId : null,
      sms: true,
    };
  if (topic === 'reading.appointment.changed') {
    const kind = (
      {
        CONFIRMED: 'APPOINTMENT_CONFIRMED',
        RESCHEDULED: 'APPOINTMENT_RESCHEDULED',
        DECLINED: 'APPOINTMENT_DECLINED',
      } as const
    )[p.change as string];
    return kind
      ? { kind, subjectId: typeof p.appointmentId === 'string' ? p.appointmentId : null, sms: true }
      : null;
  }
  if (topic === 'reading.package.expiring')
    return {
      kind: 'PACKAGE_EXPIRING',
      subjectId: typeof p.packageId === 'string' ? p.packageId : null,
      sms: true,
    };
  return null;
}

/** A new application in a procuratorate's review queue. */
function applicationType(topic: string, p: Payload): string | null {
  if (topic === 'reading.appointment.changed')
    return p.change === 'REQUESTED' ? '辩护与代理预约' : null;
  if (p.status !== 'SUBMITTED') return null;
  if (topic === 'cases.bindingApplication.changed') return '案件绑定申请';
  if (topic === 'reading.readingApplication.changed') return '在线阅卷申请';
  return null;
}

/** The template variables of `kind` filled from an event payload (clipped, or their default). */
function valuesFor(kind: MessageKind, p: Payload): Record<string, string> {
  const t = templates[kind];
  const values: Record<string, string> = {};
  for (const name of new Set([...(t.sms?.variables ?? []), ...(t.inApp?.variables ?? [])])) {
    const v = clip(name, p[name]) ?? variableRules[name]?.default;
    if (v !== undefined) values[name] = v;
  }
  return values;
}

/**
 * Turns domain events into messages. Every effect is keyed by the event id (notification
 * `${eventId}:${recipientId}`, SMS dedupe key `event:${eventId}`, fan-out `${eventId}`), so an
 * event delivered twice (the durable consumer is at-least-once; two processes may both consume)
 * makes each message once.
 */
export function createEventHandler(deps: {
  notifications: NotificationService;
  outbox: Outbox;
  fanout: Fanout;
  onFanout: () => void;
}) {
  return async function handle(event: DomainEvent): Promise<void> {
    const p = event.payload as Payload;
    const intent = lawyerIntent(event.topic, p);
    if (intent && typeof p.lawyerId === 'string') {
      const recipient = { id: p.lawyerId, role: 'LAWYER' as const };
      const values = valuesFor(intent.kind, p);
      const inApp = templates[intent.kind].inApp;
      if (inApp) {
        // In-app, a prosecutor's reason or note is told in full; the SMS keeps its clipped one.
        const inAppValues: Record<string, string> =
          typeof p.reason === 'string' && p.reason.trim()
            ? { ...values, reason: p.reason.trim().slice(0, 500) }
            : values;
        await deps.notifications.add({
          id: `${event.id}:${p.lawyerId}`,
          recipient,
          kind: intent.kind,
          title: render(inApp.title, inAppValues),
          body: render(inApp.body, inAppValues),
          subjectId: intent.subjectId,
        });
      }
      if (intent.sms && templates[intent.kind].sms) {
        await deps.outbox.enqueue({
          dedupeKey: `event:${event.id}`,
          kind: intent.kind,
          recipient,
          values,
          source: 'EVENT',
        });
      }
    }
    const type = applicationType(event.topic, p);
    if (type && typeof p.procuratorateId === 'string') {
      const subjectId =
        typeof p.applicationId === 'string'
          ? p.applicationId
          : typeof p.appointmentId === 'string'
            ? p.appointmentId
            : null;
      await deps.fanout.record({
        eventId: event.id,
        procuratorateId: p.procuratorateId,
        kind: 'NEW_APPLICATION',
        variables: { applicationType: type },
        subjectId,
      });
      deps.onFanout();
    }
  };
}
